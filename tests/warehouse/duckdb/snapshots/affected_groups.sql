SELECT c.de, c.ou, 2 AS ptype, CAST(date_trunc('week', c.pstart) AS DATE) AS pstart,
       CASE WHEN bool_or(c.corrected) OR e.has_disaggs THEN 1 ELSE 0 END AS mode
  FROM chg c JOIN data_element e ON e.id = c.de
 WHERE c.ptype = 1
 GROUP BY c.de, c.ou, CAST(date_trunc('week', c.pstart) AS DATE), e.has_disaggs
UNION ALL
SELECT c.de, c.ou, 3 AS ptype, CAST(date_trunc('month', c.pstart) AS DATE) AS pstart,
       CASE WHEN bool_or(c.corrected) OR e.has_disaggs THEN 1 ELSE 0 END AS mode
  FROM chg c JOIN data_element e ON e.id = c.de
 WHERE c.ptype = 1
 GROUP BY c.de, c.ou, CAST(date_trunc('month', c.pstart) AS DATE), e.has_disaggs
