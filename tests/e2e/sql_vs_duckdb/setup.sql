CREATE OR REPLACE TEMPORARY VIEW t1 AS SELECT * FROM (VALUES (1, 10, 'a'), (2, 20, 'b'), (3, NULL, 'c'), (NULL, 40, 'd'), (5, 50, NULL), (2, 20, 'b'), (7, 70, 'g')) AS v(a, b, s);
CREATE OR REPLACE TEMPORARY VIEW t2 AS SELECT * FROM (VALUES (2, 'x'), (3, 'y'), (3, 'z'), (NULL, 'n'), (8, 'w')) AS v(a, t)
