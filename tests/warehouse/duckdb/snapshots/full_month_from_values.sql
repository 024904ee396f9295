INSERT INTO rollup (de, ou, ptype, pstart, sum_v, count_v, min_v, max_v, last_v, last_at, first_v, first_at, avg_sum, newest, run)
SELECT * FROM (
SELECT de, ou, 3 AS ptype, pstart, sum_v, count_v, min_v, max_v, last_v, last_at,
       first_v, first_at, sum_v / count_v AS avg_sum, newest, 1 AS run
  FROM (SELECT v.de, v.ou, CAST(date_trunc('month', v.pstart) AS DATE) AS pstart,
       sum(v.value) AS sum_v, count(*) AS count_v, min(v.value) AS min_v, max(v.value) AS max_v,
       arg_max(v.value, v.pstart) AS last_v, max(v.pstart) AS last_at,
       arg_min(v.value, v.pstart) AS first_v, min(v.pstart) AS first_at,
       max(v.stored_at) AS newest
  FROM value v
 WHERE v.ptype = 1 AND TRUE
 GROUP BY v.de, v.ou, CAST(date_trunc('month', v.pstart) AS DATE)) g
) ORDER BY ptype, pstart, de, ou
