-- Conformed road crashes of the Secretaría Distrital de Movilidad (one row per crash, real file
-- 2015-2023). The dates are not generalized in this dataset; TRY_CAST keeps the model working if
-- the privacy policy later publishes them as 'AAAA-MM' text (the period is then still derived).
MODEL (
  name conformado.siniestros_viales_sdm,
  kind FULL,
  grain codigo_accidente,
  depends_on [dim.localidad],
  description 'Siniestros viales registrados por la Secretaría Distrital de Movilidad en Bogotá (2015-2023), conformados: una fila por siniestro, tipados, sin duplicados, con el código de la localidad y el periodo (AAAA-MM) de ocurrencia. Fuente: curated.movilidad.siniestros_viales_sdm (dirección y coordenadas generalizadas a celdas).',
  column_descriptions (
    codigo_accidente = 'Código único del siniestro',
    formulario = 'Número del formulario IPAT',
    fecha_ocurrencia = 'Fecha de ocurrencia; nula si la fuente la publica generalizada',
    periodo = 'Año y mes de ocurrencia (AAAA-MM)',
    anio_ocurrencia = 'Año de ocurrencia',
    mes_ocurrencia = 'Mes de ocurrencia en letras',
    dia_ocurrencia = 'Día de la semana de ocurrencia en letras',
    hora = 'Hora del día de ocurrencia (0-23)',
    fecha_hora = 'Fecha y hora del siniestro (UTC+0 según la fuente)',
    direccion = 'Celda de la cuadrícula urbana del siniestro (por ejemplo CL 10-19 x KR 60-69)',
    gravedad = 'Gravedad del siniestro (SOLO DANOS, CON HERIDOS, CON MUERTOS)',
    clase = 'Clase de siniestro (choque, atropello, volcamiento...)',
    localidad = 'Localidad del siniestro como la escribe la fuente (sin tildes)',
    codigo_localidad = 'Código de la localidad del siniestro (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    municipio = 'Municipio',
    latitud = 'Latitud WGS84 de la celda de 0,005 grados del siniestro',
    longitud = 'Longitud WGS84 de la celda de 0,005 grados del siniestro',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (codigo_accidente, codigo_localidad, version_raw)),
    unique_values(columns := (codigo_accidente)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := hora, min_v := 0, max_v := 23),
    accepted_values(column := gravedad, is_in := ('SOLO DANOS', 'CON HERIDOS', 'CON MUERTOS')),
    accepted_values(
      column := clase,
      is_in := ('CHOQUE', 'ATROPELLO', 'VOLCAMIENTO', 'CAIDA DE OCUPANTE', 'AUTOLESION', 'INCENDIO', 'OTRO')
    )
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_ocurrencia AS VARCHAR) AS _fecha,
    CAST(fecha_hora AS VARCHAR) AS _fecha_hora,
    ROW_NUMBER() OVER (
      PARTITION BY codigo_accidente
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.movilidad.siniestros_viales_sdm
  WHERE
    NOT codigo_accidente IS NULL
)
SELECT
  CAST(codigo_accidente AS VARCHAR) AS codigo_accidente,
  CAST(formulario AS VARCHAR) AS formulario,
  TRY_CAST(fecha_ocurrencia AS DATE) AS fecha_ocurrencia,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha, 1, 7)
      WHEN REGEXP_MATCHES(_fecha_hora, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha_hora, 1, 7)
    END AS VARCHAR
  ) AS periodo,
  CAST(ano_ocurrencia AS INTEGER) AS anio_ocurrencia,
  CAST(mes_ocurrencia AS VARCHAR) AS mes_ocurrencia,
  CAST(dia_ocurrencia AS VARCHAR) AS dia_ocurrencia,
  CAST(EXTRACT(HOUR FROM hora_ocurrencia) AS INTEGER) AS hora,
  TRY_CAST(fecha_hora AS TIMESTAMP) AS fecha_hora,
  CAST(direccion AS VARCHAR) AS direccion,
  CAST(gravedad AS VARCHAR) AS gravedad,
  CAST(clase AS VARCHAR) AS clase,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(municipio AS VARCHAR) AS municipio,
  TRY_CAST(REPLACE(CAST(latitud AS VARCHAR), ',', '.') AS DOUBLE) AS latitud,
  TRY_CAST(REPLACE(CAST(longitud AS VARCHAR), ',', '.') AS DOUBLE) AS longitud,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
