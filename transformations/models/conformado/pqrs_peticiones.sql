-- Conformed citizen petitions (PQRS, one row per radicado). The privacy gate withholds
-- tipo_peticionario and, in small classes, the localidad (null -> code 00 sin dato). asunto and
-- the citizens' free text (descripcion) come redacted by the privacy step: personal spans are
-- placeholders (<PERSONA>, <DOCUMENTO>...), the rest of the text is kept for analysis.
MODEL (
  name conformado.pqrs_peticiones,
  kind FULL,
  grain radicado,
  depends_on [dim.localidad],
  description 'Peticiones, quejas, reclamos, sugerencias y denuncias (PQRS) radicadas ante las entidades distritales de Bogotá, conformadas: una fila por radicado, tipadas, sin duplicados, con el código de la localidad y el periodo (AAAA-MM) de radicación. Fuente: curated.gestion_publica.pqrs_peticiones (radicado seudonimizado, fecha generalizada a mes, asunto y texto libre con los datos personales reemplazados por marcadores).',
  column_descriptions (
    radicado = 'Número de radicado seudonimizado (p_ + 16 hexadecimales)',
    periodo = 'Año y mes de radicación (AAAA-MM); nulo si la fuente solo publica el año',
    canal = 'Canal por el que se recibió la petición',
    tipo = 'Tipo de petición (Petición, Queja, Reclamo, Sugerencia, Denuncia, Felicitación)',
    tema = 'Tema de la petición',
    entidad_destino = 'Entidad distrital a la que se asignó la petición',
    localidad = 'Localidad a la que se refiere la petición como la escribe la fuente; nula cuando la compuerta de privacidad la retiene',
    codigo_localidad = 'Código de la localidad (01-20; 00 sin dato o retenida, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    tipo_peticionario = 'Tipo de peticionario (Natural, Jurídica, Anónimo); nulo cuando la compuerta de privacidad lo retiene',
    asunto = 'Asunto breve de la petición, con los datos personales reemplazados por marcadores (<PERSONA>...)',
    descripcion = 'Texto libre de la petición escrito por la ciudadanía, con los nombres, documentos, teléfonos, correos y direcciones reemplazados por <PERSONA>, <DOCUMENTO>, <TELEFONO>, <CORREO> y <DIRECCION>',
    estado = 'Estado de la petición a la fecha de corte',
    fecha_cierre = 'Fecha de cierre de la petición, si está cerrada',
    dias_respuesta = 'Días calendario entre la radicación y el cierre',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (radicado, codigo_localidad, version_raw)),
    unique_values(columns := (radicado)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := dias_respuesta, min_v := 0),
    accepted_values(
      column := canal,
      is_in := ('Web', 'E-mail', 'Telefónico', 'Presencial', 'Escrito', 'Redes sociales', 'Buzón', 'App móvil')
    ),
    accepted_values(
      column := tipo,
      is_in := ('Petición', 'Queja', 'Reclamo', 'Sugerencia', 'Denuncia', 'Felicitación')
    ),
    accepted_values(
      column := tema,
      is_in := (
        'Malla vial', 'Alumbrado público', 'Recolección de residuos', 'Ruido', 'Arbolado urbano',
        'Atención en salud', 'Cupos escolares', 'Subsidios y apoyos sociales',
        'Seguridad y convivencia', 'TransMilenio y SITP', 'Impuestos', 'Espacio público',
        'Parques y recreación', 'Movilidad y comparendos', 'Violencias contra las mujeres',
        'Bienestar animal'
      )
    ),
    accepted_values(column := tipo_peticionario, is_in := ('Natural', 'Jurídica', 'Anónimo')),
    accepted_values(
      column := estado,
      is_in := (
        'Registrado', 'Asignado', 'En trámite', 'Solucionado - por respuesta definitiva', 'Cerrado',
        'Trasladado por no competencia'
      )
    )
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_radicacion AS VARCHAR) AS _fecha,
    ROW_NUMBER() OVER (
      PARTITION BY radicado
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.gestion_publica.pqrs_peticiones
  WHERE
    NOT radicado IS NULL
)
SELECT
  CAST(radicado AS VARCHAR) AS radicado,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha, 1, 7)
    END AS VARCHAR
  ) AS periodo,
  CAST(canal AS VARCHAR) AS canal,
  CAST(tipo AS VARCHAR) AS tipo,
  CAST(tema AS VARCHAR) AS tema,
  CAST(entidad_destino AS VARCHAR) AS entidad_destino,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(tipo_peticionario AS VARCHAR) AS tipo_peticionario,
  CAST(asunto AS VARCHAR) AS asunto,
  CAST(descripcion AS VARCHAR) AS descripcion,
  CAST(estado AS VARCHAR) AS estado,
  TRY_CAST(fecha_cierre AS DATE) AS fecha_cierre,
  CAST(dias_respuesta AS INTEGER) AS dias_respuesta,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
