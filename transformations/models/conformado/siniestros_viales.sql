-- Conformed road-crash victims (one row per victim). The privacy gate generalizes the dates to
-- the month and may withhold fecha_ocurrencia, the age band and the sex entirely (null) in small
-- samples, so the period falls back from fecha_ocurrencia to fecha_hora ('2024-07') and then to
-- anio_ocurrencia + mes_ocurrencia (month name).
MODEL (
  name conformado.siniestros_viales,
  kind FULL,
  grain codigo_victima,
  depends_on [dim.localidad],
  description 'Víctimas de siniestros viales en Bogotá (formularios IPAT), conformadas: una fila por víctima, tipadas, sin duplicados, con el código de la localidad del siniestro y el periodo (AAAA-MM) de ocurrencia. Fuente: curated.movilidad.siniestros_viales (fechas generalizadas a mes, dirección y coordenadas a celdas, documentos y placas seudonimizados, edad en rangos).',
  column_descriptions (
    codigo_victima = 'Identificador de la víctima (seudónimo p_ + 16 hexadecimales)',
    codigo_accidente = 'Código del siniestro (se repite en cada víctima del mismo siniestro)',
    formulario = 'Número del formulario IPAT del siniestro',
    periodo = 'Año y mes de ocurrencia (AAAA-MM), de la fecha de ocurrencia, la fecha y hora generalizada o el año y mes en letras',
    anio_ocurrencia = 'Año de ocurrencia',
    mes_ocurrencia = 'Mes de ocurrencia en letras (ENERO-DICIEMBRE)',
    dia_ocurrencia = 'Día de la semana de ocurrencia (LUNES-DOMINGO)',
    hora = 'Hora del día de ocurrencia (0-23)',
    direccion = 'Celda de la cuadrícula urbana del siniestro (por ejemplo CL 40-49 x KR 10-19)',
    gravedad = 'Gravedad del siniestro (CON MUERTOS, CON HERIDOS)',
    clase_accidente = 'Clase de siniestro (choque, atropello, caída de ocupante...)',
    localidad = 'Localidad donde ocurrió el siniestro como la escribe la fuente',
    codigo_localidad = 'Código de la localidad del siniestro (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    municipio = 'Municipio',
    latitud = 'Latitud WGS84 de la celda de 0,01 grados del siniestro',
    longitud = 'Longitud WGS84 de la celda de 0,01 grados del siniestro',
    condicion_victima = 'Condición de la víctima (motociclista, peatón, ciclista, pasajero, conductor, acompañante)',
    estado_victima = 'Estado de la víctima (HERIDO, MUERTO)',
    clase_vehiculo = 'Clase del vehículo en que se movilizaba la víctima (vacío para peatones)',
    servicio_vehiculo = 'Servicio del vehículo (PARTICULAR, PUBLICO, OFICIAL)',
    placa = 'Placa del vehículo seudonimizada (p_ + 16 hexadecimales)',
    tipo_doc_victima = 'Tipo de documento de la víctima',
    num_doc_victima = 'Documento de la víctima seudonimizado (p_ + 16 hexadecimales)',
    edad_victima = 'Rango de edad de la víctima en años (por ejemplo 20-24); texto; nulo cuando la compuerta de privacidad lo retiene',
    sexo_victima = 'Sexo de la víctima (FEMENINO, MASCULINO); nulo cuando la compuerta de privacidad lo retiene',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (codigo_victima, codigo_accidente, codigo_localidad, version_raw)),
    unique_values(columns := (codigo_victima)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := hora, min_v := 0, max_v := 23),
    accepted_values(
      column := mes_ocurrencia,
      is_in := ('ENERO', 'FEBRERO', 'MARZO', 'ABRIL', 'MAYO', 'JUNIO', 'JULIO', 'AGOSTO', 'SEPTIEMBRE', 'OCTUBRE', 'NOVIEMBRE', 'DICIEMBRE')
    ),
    accepted_values(
      column := dia_ocurrencia,
      is_in := ('LUNES', 'MARTES', 'MIERCOLES', 'JUEVES', 'VIERNES', 'SABADO', 'DOMINGO')
    ),
    accepted_values(column := gravedad, is_in := ('CON MUERTOS', 'CON HERIDOS')),
    accepted_values(
      column := clase_accidente,
      is_in := ('CHOQUE', 'ATROPELLO', 'CAIDA DE OCUPANTE', 'VOLCAMIENTO', 'AUTOLESION', 'OTRO', 'INCENDIO')
    ),
    accepted_values(
      column := condicion_victima,
      is_in := ('MOTOCICLISTA', 'PEATON', 'CICLISTA', 'PASAJERO', 'CONDUCTOR', 'ACOMPAÑANTE')
    ),
    accepted_values(column := estado_victima, is_in := ('HERIDO', 'MUERTO')),
    accepted_values(
      column := clase_vehiculo,
      is_in := ('AUTOMOVIL', 'CAMPERO', 'CAMIONETA', 'BUS', 'BUSETA', 'MICROBUS', 'CAMION', 'TRACTOCAMION', 'TAXI', 'MOTOCICLETA', 'BICICLETA')
    ),
    accepted_values(column := servicio_vehiculo, is_in := ('PARTICULAR', 'PUBLICO', 'OFICIAL')),
    accepted_values(
      column := tipo_doc_victima,
      is_in := ('CC', 'TI', 'RC', 'CE', 'PA', 'PPT', 'PEP', 'MS', 'AS')
    ),
    accepted_values(column := sexo_victima, is_in := ('FEMENINO', 'MASCULINO'))
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_ocurrencia AS VARCHAR) AS _fecha,
    CAST(fecha_hora AS VARCHAR) AS _fecha_hora,
    CASE UPPER(TRIM(CAST(mes_ocurrencia AS VARCHAR)))
      WHEN 'ENERO' THEN '01'
      WHEN 'FEBRERO' THEN '02'
      WHEN 'MARZO' THEN '03'
      WHEN 'ABRIL' THEN '04'
      WHEN 'MAYO' THEN '05'
      WHEN 'JUNIO' THEN '06'
      WHEN 'JULIO' THEN '07'
      WHEN 'AGOSTO' THEN '08'
      WHEN 'SEPTIEMBRE' THEN '09'
      WHEN 'OCTUBRE' THEN '10'
      WHEN 'NOVIEMBRE' THEN '11'
      WHEN 'DICIEMBRE' THEN '12'
    END AS _mes,
    ROW_NUMBER() OVER (
      PARTITION BY codigo_victima
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.movilidad.siniestros_viales
  WHERE
    NOT codigo_victima IS NULL
)
SELECT
  CAST(codigo_victima AS VARCHAR) AS codigo_victima,
  CAST(codigo_accidente AS VARCHAR) AS codigo_accidente,
  CAST(formulario AS VARCHAR) AS formulario,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha, 1, 7)
      WHEN REGEXP_MATCHES(_fecha_hora, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha_hora, 1, 7)
      WHEN NOT anio_ocurrencia IS NULL AND NOT _mes IS NULL
      THEN CONCAT(CAST(CAST(anio_ocurrencia AS INTEGER) AS VARCHAR), '-', _mes)
    END AS VARCHAR
  ) AS periodo,
  CAST(anio_ocurrencia AS INTEGER) AS anio_ocurrencia,
  CAST(mes_ocurrencia AS VARCHAR) AS mes_ocurrencia,
  CAST(dia_ocurrencia AS VARCHAR) AS dia_ocurrencia,
  CAST(EXTRACT(HOUR FROM hora_ocurrencia) AS INTEGER) AS hora,
  CAST(direccion AS VARCHAR) AS direccion,
  CAST(gravedad AS VARCHAR) AS gravedad,
  CAST(clase_accidente AS VARCHAR) AS clase_accidente,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(municipio AS VARCHAR) AS municipio,
  TRY_CAST(REPLACE(CAST(latitud AS VARCHAR), ',', '.') AS DOUBLE) AS latitud,
  TRY_CAST(REPLACE(CAST(longitud AS VARCHAR), ',', '.') AS DOUBLE) AS longitud,
  CAST(condicion_victima AS VARCHAR) AS condicion_victima,
  CAST(estado_victima AS VARCHAR) AS estado_victima,
  CAST(clase_vehiculo AS VARCHAR) AS clase_vehiculo,
  CAST(servicio_vehiculo AS VARCHAR) AS servicio_vehiculo,
  CAST(placa AS VARCHAR) AS placa,
  CAST(tipo_doc_victima AS VARCHAR) AS tipo_doc_victima,
  CAST(num_doc_victima AS VARCHAR) AS num_doc_victima,
  CAST(edad_victima AS VARCHAR) AS edad_victima,
  CAST(sexo_victima AS VARCHAR) AS sexo_victima,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
