SELECT n.de, n.ou, n.ptype, n.pstart,
       coalesce(o.sum_v, 0) + n.sum_v AS sum_v, coalesce(o.count_v, 0) + n.count_v AS count_v,
       least(o.min_v, n.min_v) AS min_v, greatest(o.max_v, n.max_v) AS max_v,
       CASE WHEN o.last_at IS NULL OR n.last_at > o.last_at THEN n.last_v ELSE o.last_v END AS last_v,
       greatest(o.last_at, n.last_at) AS last_at,
       CASE WHEN o.first_at IS NULL OR n.first_at < o.first_at THEN n.first_v ELSE o.first_v END
           AS first_v,
       least(o.first_at, n.first_at) AS first_at,
       (coalesce(o.sum_v, 0) + n.sum_v) / (coalesce(o.count_v, 0) + n.count_v) AS avg_sum,
       greatest(o.newest, n.newest) AS newest, 2 AS run, o.rowid AS old_row
  FROM (SELECT de, ou, 3 AS ptype, pstart, sum_v, count_v, min_v, max_v, last_v, last_at,
       first_v, first_at, sum_v / count_v AS avg_sum, newest, 2 AS run
  FROM (SELECT v.de, v.ou, CAST(date_trunc('month', v.pstart) AS DATE) AS pstart,
       sum(v.value) AS sum_v, count(*) AS count_v, min(v.value) AS min_v, max(v.value) AS max_v,
       arg_max(v.value, v.pstart) AS last_v, max(v.pstart) AS last_at,
       arg_min(v.value, v.pstart) AS first_v, min(v.pstart) AS first_at,
       max(v.stored_at) AS newest
  FROM value v
 WHERE v.ptype = 1 AND v.write_id > 7
 GROUP BY v.de, v.ou, CAST(date_trunc('month', v.pstart) AS DATE)) g) n
  LEFT JOIN rollup o ON o.de = n.de AND o.ou = n.ou AND o.ptype = n.ptype AND o.pstart = n.pstart
   AND o.ptype = 3 AND o.pstart BETWEEN DATE '2026-11-01' AND DATE '2026-11-01'
