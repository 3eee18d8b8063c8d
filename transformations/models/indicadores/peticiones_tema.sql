-- Petitions by topic, localidad and month (long format): every localidad x every month the PQRS
-- dataset covers (first to last period, no gaps) x every topic seen, with 0 where there was none.
MODEL (
  name indicadores.peticiones_tema,
  kind FULL,
  grain (codigo_localidad, periodo, tema),
  description 'Peticiones ciudadanas (PQRS) por tema, localidad y mes en Bogotá (dimensión Gobernanza del modelo de MinTIC): número de peticiones y tasa por 1.000 habitantes. Una fila por cada una de las 20 localidades, cada mes que cubre la fuente y cada tema; 0 cuando no hubo peticiones.',
  column_descriptions (
    codigo_localidad = 'Código oficial de la localidad (01-20), llave a dim.localidad',
    localidad = 'Nombre oficial de la localidad',
    periodo = 'Año y mes de radicación (AAAA-MM)',
    tema = 'Tema de la petición',
    poblacion = 'Población de la localidad usada en la tasa (año más reciente de dim.localidad)',
    peticiones = 'Peticiones radicadas sobre la localidad en el mes con ese tema',
    peticiones_1000 = 'Peticiones con ese tema por 1.000 habitantes en el mes'
  ),
  audits (
    not_null(columns := (codigo_localidad, localidad, periodo, tema, poblacion, peticiones)),
    unique_combination_of_columns(columns := (codigo_localidad, periodo, tema)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    localidades_completas(column := periodo),
    accepted_range(column := peticiones, min_v := 0),
    accepted_range(column := peticiones_1000, min_v := 0)
  )
);

WITH localidades AS (
  SELECT
    codigo AS codigo_localidad,
    nombre AS localidad,
    poblacion
  FROM dim.localidad
  WHERE
    es_localidad
), rango AS (
  SELECT
    MIN(periodo) AS desde,
    MAX(periodo) AS hasta
  FROM conformado.pqrs_peticiones
), periodos AS (
  SELECT DISTINCT
    f.periodo
  FROM dim.fecha AS f
  CROSS JOIN rango AS r
  WHERE
    f.periodo BETWEEN r.desde AND r.hasta
), temas AS (
  SELECT DISTINCT
    tema
  FROM conformado.pqrs_peticiones
  WHERE
    NOT tema IS NULL
), peticiones AS (
  SELECT
    codigo_localidad,
    periodo,
    tema,
    COUNT(*) AS n
  FROM conformado.pqrs_peticiones
  GROUP BY
    codigo_localidad,
    periodo,
    tema
)
SELECT
  CAST(l.codigo_localidad AS VARCHAR) AS codigo_localidad,
  CAST(l.localidad AS VARCHAR) AS localidad,
  CAST(p.periodo AS VARCHAR) AS periodo,
  CAST(t.tema AS VARCHAR) AS tema,
  CAST(l.poblacion AS BIGINT) AS poblacion,
  CAST(COALESCE(x.n, 0) AS BIGINT) AS peticiones,
  CAST(ROUND(CAST(COALESCE(x.n, 0) AS DOUBLE) * 1000 / CAST(l.poblacion AS DOUBLE), 4) AS DOUBLE) AS peticiones_1000
FROM localidades AS l
CROSS JOIN periodos AS p
CROSS JOIN temas AS t
LEFT JOIN peticiones AS x
  ON x.codigo_localidad = l.codigo_localidad AND x.periodo = p.periodo AND x.tema = t.tema
