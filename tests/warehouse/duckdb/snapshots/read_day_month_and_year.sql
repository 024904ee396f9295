SELECT s.de, s.ou, s.ptype, s.pstart, CASE WHEN s.de IN (1) THEN s.sum_v WHEN s.de IN (2) THEN s.last_v END AS value, s.sum_v, s.count_v,
       s.min_v, s.max_v, s.last_v, s.first_v, s.avg_sum, s.reporting, s.newest
  FROM (SELECT v.de, a.anc AS ou, v.ptype, v.pstart, sum(v.value) AS sum_v, count(*) AS count_v,
       min(v.value) AS min_v, max(v.value) AS max_v, sum(v.value) AS last_v, sum(v.value) AS first_v,
       sum(v.value) AS avg_sum, count(*) AS reporting, max(v.stored_at) AS newest,
       bool_and(a.depth = 0) AS own_only
  FROM value v JOIN org_ancestor a ON a.ou = v.ou
 WHERE v.de IN (1, 2) AND v.ptype = 1 AND v.pstart = DATE '2026-11-24' AND a.anc IN (10, 11)
 GROUP BY v.de, a.anc, v.ptype, v.pstart
UNION ALL
SELECT r.de, a.anc AS ou, r.ptype, r.pstart, sum(r.sum_v) AS sum_v, sum(r.count_v) AS count_v,
       min(r.min_v) AS min_v, max(r.max_v) AS max_v, sum(r.last_v) AS last_v, sum(r.first_v) AS first_v,
       sum(r.avg_sum) AS avg_sum, count(*) AS reporting, max(r.newest) AS newest, FALSE AS own_only
  FROM rollup r JOIN org_ancestor a ON a.ou = r.ou
 WHERE r.de IN (1, 2) AND r.ptype = 3 AND r.pstart = DATE '2026-11-01' AND a.anc IN (10, 11)
 GROUP BY r.de, a.anc, r.ptype, r.pstart
UNION ALL
SELECT x.de, x.anc AS ou, 7 AS ptype, x.pstart, sum(x.sum_v) AS sum_v, sum(x.count_v) AS count_v, min(x.min_v) AS min_v, max(x.max_v) AS max_v, sum(x.last_v) AS last_v, sum(x.first_v) AS first_v, sum(x.avg_sum) AS avg_sum, count(*) AS reporting, max(x.newest) AS newest, FALSE AS own_only
  FROM (SELECT r.de, a.anc, r.ou, make_date(year(r.pstart) - CASE WHEN month(r.pstart) < 4 THEN 1 ELSE 0 END, 4, 1) AS pstart, sum(r.sum_v) AS sum_v, sum(r.count_v) AS count_v,
       min(r.min_v) AS min_v, max(r.max_v) AS max_v, arg_max(r.last_v, r.last_at) AS last_v,
       arg_min(r.first_v, r.first_at) AS first_v, sum(r.sum_v) / sum(r.count_v) AS avg_sum,
       max(r.newest) AS newest
  FROM rollup r JOIN org_ancestor a ON a.ou = r.ou
 WHERE r.de IN (1, 2) AND r.ptype = 3 AND r.pstart BETWEEN DATE '2026-04-01' AND DATE '2027-03-31'
   AND a.anc IN (10, 11)
 GROUP BY r.de, a.anc, r.ou, make_date(year(r.pstart) - CASE WHEN month(r.pstart) < 4 THEN 1 ELSE 0 END, 4, 1)) x
 WHERE x.pstart = DATE '2026-04-01'
 GROUP BY x.de, x.anc, x.pstart
UNION ALL
SELECT x.de, x.anc AS ou, 7 AS ptype, x.pstart, sum(x.sum_v) AS sum_v, sum(x.count_v) AS count_v, min(x.min_v) AS min_v, max(x.max_v) AS max_v, sum(x.last_v) AS last_v, sum(x.first_v) AS first_v, sum(x.avg_sum) AS avg_sum, count(*) AS reporting, max(x.newest) AS newest, FALSE AS own_only
  FROM (SELECT de, anc, ou, pstart, sum(sum_v) AS sum_v, sum(count_v) AS count_v, min(min_v) AS min_v,
       max(max_v) AS max_v, sum(last_v) AS last_v, sum(first_v) AS first_v, sum(sum_v / count_v) AS avg_sum,
       max(newest) AS newest
  FROM (SELECT v.de, a.anc, v.ou, v.disagg, make_date(year(v.pstart) - CASE WHEN month(v.pstart) < 4 THEN 1 ELSE 0 END, 4, 1) AS pstart, sum(v.value) AS sum_v, count(*) AS count_v,
               min(v.value) AS min_v, max(v.value) AS max_v, arg_max(v.value, v.pstart) AS last_v,
               arg_min(v.value, v.pstart) AS first_v, max(v.stored_at) AS newest
          FROM value v JOIN org_ancestor a ON a.ou = v.ou
         WHERE v.de IN (2) AND v.ptype = 1 AND v.pstart BETWEEN DATE '2026-04-01' AND DATE '2027-03-31'
           AND a.anc IN (10, 11)
         GROUP BY v.de, a.anc, v.ou, v.disagg, make_date(year(v.pstart) - CASE WHEN month(v.pstart) < 4 THEN 1 ELSE 0 END, 4, 1)) s
 GROUP BY de, anc, ou, pstart) x
 WHERE x.pstart = DATE '2026-04-01'
 GROUP BY x.de, x.anc, x.pstart) s
