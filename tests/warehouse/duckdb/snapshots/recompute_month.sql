SELECT n.de, n.ou, n.ptype, n.pstart, n.sum_v, n.count_v, n.min_v, n.max_v, n.last_v, n.last_at, n.first_v, n.first_at, n.avg_sum, n.newest, n.run, o.rowid AS old_row
  FROM (SELECT de, ou, 3 AS ptype, pstart, sum(sum_v), sum(count_v), min(min_v), max(max_v),
       sum(last_v), max(last_at), sum(first_v), min(first_at), sum(sum_v / count_v), max(newest),
       2
  FROM (SELECT v.de, v.ou, v.disagg, CAST(date_trunc('month', v.pstart) AS DATE) AS pstart,
       sum(v.value) AS sum_v, count(*) AS count_v, min(v.value) AS min_v, max(v.value) AS max_v,
       arg_max(v.value, v.pstart) AS last_v, max(v.pstart) AS last_at,
       arg_min(v.value, v.pstart) AS first_v, min(v.pstart) AS first_at,
       max(v.stored_at) AS newest
  FROM value v
  JOIN (SELECT de, ou, ptype, pstart FROM aff WHERE mode = 0 AND ptype = 3) k ON k.de = v.de AND k.ou = v.ou AND k.ptype = 3 AND k.pstart = CAST(date_trunc('month', v.pstart) AS DATE)
 WHERE v.ptype = 1 AND TRUE
 GROUP BY v.de, v.ou, v.disagg, CAST(date_trunc('month', v.pstart) AS DATE)) g
 GROUP BY de, ou, pstart) n(de, ou, ptype, pstart, sum_v, count_v, min_v, max_v, last_v, last_at, first_v, first_at, avg_sum, newest, run)
  LEFT JOIN rollup o ON o.de = n.de AND o.ou = n.ou AND o.ptype = n.ptype AND o.pstart = n.pstart
