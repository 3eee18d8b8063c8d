-- A territorial mart has one row per localidad of dim.localidad (es_localidad) for every
-- period: returns the periods with a different number of distinct localidades.
AUDIT (
  name localidades_completas,
  defaults (column = periodo),
  dialect duckdb
);

SELECT
  @column AS periodo,
  COUNT(DISTINCT codigo_localidad) AS localidades
FROM @this_model
GROUP BY
  @column
HAVING
  COUNT(DISTINCT codigo_localidad) <> (
    SELECT COUNT(*) FROM dim.localidad AS d WHERE d.es_localidad
  )
