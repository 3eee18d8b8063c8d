-- Referential integrity to dim.localidad: every non-null localidad code of the audited model
-- must be a code of the dimension (01-20, or the explicit unknowns 00, 98, 99). Rows returned
-- are the violations. Models using it declare `depends_on [dim.localidad]` (if they do not
-- read the dimension already) so the dimension is built first.
AUDIT (
  name localidad_existe,
  defaults (column = codigo_localidad),
  dialect duckdb
);

SELECT *
FROM @this_model
WHERE
  NOT @column IS NULL
  AND NOT @column IN (
    SELECT d.codigo FROM dim.localidad AS d WHERE NOT d.codigo IS NULL
  )
