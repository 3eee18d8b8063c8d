-- Conformed hourly air quality of the RMCAB network (one row per station and hour, daily
-- partitions). Stations do not move, but the source's localidad column is dirty in a few rows
-- ('Funza', 'SIN DATO', '11 - SUBA'): the station's localidad code is the one the source gives
-- it most often among the 20 localidades, and only a station never placed in Bogotá keeps the
-- row's own code (00, 98 or 99).
MODEL (
  name conformado.calidad_aire_rmcab,
  kind FULL,
  grain (estacion, fecha_hora),
  depends_on [dim.localidad],
  description 'Mediciones horarias de calidad del aire de la Red de Monitoreo de Calidad del Aire de Bogotá (RMCAB), conformadas: una fila por estación y hora, tipadas, sin duplicados, con el código de la localidad de la estación y el periodo (AAAA-MM). Fuente: curated.ambiente.calidad_aire_rmcab (particiones diarias).',
  column_descriptions (
    estacion = 'Nombre de la estación de monitoreo',
    localidad = 'Localidad de la estación como la escribe la fuente en esa fila',
    codigo_localidad = 'Código de la localidad de la estación (01-20): el que la fuente le asigna con más frecuencia; llave a dim.localidad',
    fecha_hora = 'Inicio de la hora de medición, hora local',
    fecha = 'Día de la medición',
    periodo = 'Año y mes de la medición (AAAA-MM)',
    pm25 = 'Concentración horaria de material particulado menor a 2,5 micras (µg/m3)',
    pm10 = 'Concentración horaria de material particulado menor a 10 micras (µg/m3)',
    o3 = 'Concentración horaria de ozono (ppb)',
    no2 = 'Concentración horaria de dióxido de nitrógeno (ppb)',
    co = 'Concentración horaria de monóxido de carbono (ppm)',
    so2 = 'Concentración horaria de dióxido de azufre (ppb)',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (estacion, fecha_hora, codigo_localidad, periodo, version_raw)),
    unique_combination_of_columns(columns := (estacion, fecha_hora)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_values(
      column := estacion,
      is_in := (
        'Usaquén', 'Suba', 'Las Ferias', 'Centro de Alto Rendimiento', 'Puente Aranda', 'Kennedy',
        'Carvajal-Sevillana', 'Tunal', 'San Cristóbal', 'Bolivia', 'Guaymaral', 'Móvil 7ma',
        'Ciudad Bolívar', 'Colina', 'Jazmín', 'Usme', 'Bosa', 'Fontibón', 'MinAmbiente',
        'Movil Fontibon'
      )
    ),
    accepted_range(column := pm25, min_v := 0, max_v := 1000),
    accepted_range(column := pm10, min_v := 0, max_v := 2000),
    accepted_range(column := o3, min_v := 0, max_v := 500),
    accepted_range(column := no2, min_v := 0, max_v := 500),
    accepted_range(column := co, min_v := 0, max_v := 50),
    accepted_range(column := so2, min_v := 0, max_v := 500)
  )
);

WITH fuente AS (
  SELECT
    *,
    @localidad_codigo(localidad) AS _codigo_fila,
    ROW_NUMBER() OVER (
      PARTITION BY estacion, fecha_hora
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.ambiente.calidad_aire_rmcab
  WHERE
    NOT estacion IS NULL AND NOT fecha_hora IS NULL
), votos AS (
  SELECT
    estacion,
    _codigo_fila AS codigo,
    COUNT(*) AS filas
  FROM fuente
  WHERE
    _fila = 1 AND _codigo_fila BETWEEN '01' AND '20'
  GROUP BY
    estacion,
    _codigo_fila
), estaciones AS (
  SELECT
    estacion,
    codigo,
    ROW_NUMBER() OVER (PARTITION BY estacion ORDER BY filas DESC, codigo) AS puesto
  FROM votos
)
SELECT
  CAST(f.estacion AS VARCHAR) AS estacion,
  CAST(f.localidad AS VARCHAR) AS localidad,
  CAST(COALESCE(e.codigo, f._codigo_fila) AS VARCHAR) AS codigo_localidad,
  CAST(f.fecha_hora AS TIMESTAMP) AS fecha_hora,
  CAST(f.fecha_hora AS DATE) AS fecha,
  CAST(SUBSTRING(CAST(CAST(f.fecha_hora AS DATE) AS VARCHAR), 1, 7) AS VARCHAR) AS periodo,
  CAST(f.pm25 AS DOUBLE) AS pm25,
  CAST(f.pm10 AS DOUBLE) AS pm10,
  CAST(f.o3 AS DOUBLE) AS o3,
  CAST(f.no2 AS DOUBLE) AS no2,
  CAST(f.co AS DOUBLE) AS co,
  CAST(f.so2 AS DOUBLE) AS so2,
  CAST(f._ada_raw_version AS VARCHAR) AS version_raw
FROM fuente AS f
LEFT JOIN estaciones AS e
  ON e.estacion = f.estacion AND e.puesto = 1
WHERE
  f._fila = 1
