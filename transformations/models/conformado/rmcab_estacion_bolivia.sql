-- Conformed hourly series of the RMCAB Bolivia station (one row per station and hour). The file
-- has no localidad column: the station's localidad comes from its name (Bolivia is in Engativá,
-- as the RMCAB network file calidad_aire_rmcab also says); an unknown station gets 00.
MODEL (
  name conformado.rmcab_estacion_bolivia,
  kind FULL,
  grain (estacion, fecha_hora),
  depends_on [dim.localidad],
  description 'Serie horaria de la estación Bolivia de la Red de Monitoreo de Calidad del Aire de Bogotá (RMCAB), conformada: una fila por estación y hora, tipada, sin duplicados, con el código de la localidad de la estación (Engativá) y el periodo (AAAA-MM). Fuente: curated.ambiente.rmcab_estacion_bolivia.',
  column_descriptions (
    estacion = 'Nombre de la estación de monitoreo',
    localidad = 'Localidad donde está la estación (la fuente no la trae: se deduce del nombre de la estación)',
    codigo_localidad = 'Código de la localidad de la estación (01-20; 00 si la estación no es conocida), llave a dim.localidad',
    fecha_hora = 'Fecha y hora de inicio de la medición, hora local',
    fecha = 'Día de la medición',
    periodo = 'Año y mes de la medición (AAAA-MM)',
    co = 'Monóxido de carbono (ppm)',
    no = 'Óxido nítrico (ppb)',
    no2 = 'Dióxido de nitrógeno (ppb)',
    nox = 'Óxidos de nitrógeno (ppb)',
    ozono = 'Ozono (ppb)',
    pm10 = 'Material particulado menor a 10 µm (µg/m3)',
    pm25 = 'Material particulado menor a 2,5 µm (µg/m3)',
    so2 = 'Dióxido de azufre (ppb)',
    latitud = 'Latitud decimal WGS84 de la estación',
    longitud = 'Longitud decimal WGS84 de la estación',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (estacion, fecha_hora, codigo_localidad, periodo, version_raw)),
    unique_combination_of_columns(columns := (estacion, fecha_hora)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := co, min_v := 0),
    accepted_range(column := no, min_v := 0),
    accepted_range(column := no2, min_v := 0),
    accepted_range(column := nox, min_v := 0),
    accepted_range(column := ozono, min_v := 0),
    accepted_range(column := pm10, min_v := 0),
    accepted_range(column := pm25, min_v := 0),
    accepted_range(column := so2, min_v := 0)
  )
);

WITH fuente AS (
  SELECT
    *,
    CASE UPPER(TRIM(CAST(estacion AS VARCHAR))) WHEN 'BOLIVIA' THEN 'Engativá' END AS _localidad,
    ROW_NUMBER() OVER (
      PARTITION BY estacion, fecha_hora
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.ambiente.rmcab_estacion_bolivia
  WHERE
    NOT estacion IS NULL AND NOT fecha_hora IS NULL
)
SELECT
  CAST(estacion AS VARCHAR) AS estacion,
  CAST(_localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(_localidad) AS VARCHAR) AS codigo_localidad,
  CAST(fecha_hora AS TIMESTAMP) AS fecha_hora,
  CAST(fecha_hora AS DATE) AS fecha,
  CAST(SUBSTRING(CAST(CAST(fecha_hora AS DATE) AS VARCHAR), 1, 7) AS VARCHAR) AS periodo,
  CAST(co AS DOUBLE) AS co,
  CAST("no" AS DOUBLE) AS "no",
  CAST(no2 AS DOUBLE) AS no2,
  CAST(nox AS DOUBLE) AS nox,
  CAST(ozono AS DOUBLE) AS ozono,
  CAST(pm10 AS DOUBLE) AS pm10,
  CAST(pm25 AS DOUBLE) AS pm25,
  CAST(so2 AS DOUBLE) AS so2,
  CAST(latitud AS DOUBLE) AS latitud,
  CAST(longitud AS DOUBLE) AS longitud,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
