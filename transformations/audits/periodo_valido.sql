-- A period column holds 'AAAA-MM' (month 01-12) or is null (date withheld or generalized to a
-- year by the privacy gate). Rows returned are the violations.
AUDIT (
  name periodo_valido,
  defaults (column = periodo),
  dialect duckdb
);

SELECT *
FROM @this_model
WHERE
  NOT @column IS NULL
  AND NOT REGEXP_MATCHES(@column, '^[0-9]{4}-(0[1-9]|1[0-2])$')
