-- Conformed business register (one row per mercantile registration). The privacy step
-- pseudonymizes the NIT and the legal representative's id, redacts person names in the business
-- name and generalizes the commercial address to a grid cell.
MODEL (
  name conformado.registro_empresas,
  kind FULL,
  grain matricula,
  depends_on [dim.localidad],
  description 'Registro mercantil de empresas y comerciantes con domicilio en Bogotá, conformado: una fila por matrícula, tipada, sin duplicados, con el código de la localidad de la dirección comercial y el periodo (AAAA-MM) de matrícula. Fuente: curated.desarrollo_economico.registro_empresas (NIT y documento del representante seudonimizados, nombres de personas redactados, dirección generalizada a celda).',
  column_descriptions (
    matricula = 'Número de matrícula mercantil',
    nit = 'NIT seudonimizado (p_ + 16 hexadecimales)',
    razon_social = 'Razón social, con los nombres de personas reemplazados por <PERSONA>',
    organizacion_juridica = 'Organización jurídica',
    ciiu = 'Código CIIU Rev. 4 A.C. de la actividad económica principal',
    actividad_economica = 'Descripción de la actividad económica principal',
    fecha_matricula = 'Fecha de matrícula',
    periodo = 'Año y mes de matrícula (AAAA-MM)',
    fecha_renovacion = 'Fecha de la última renovación',
    ultimo_ano_renovado = 'Último año renovado',
    estado_matricula = 'Estado de la matrícula (ACTIVA, CANCELADA, EN LIQUIDACION)',
    tamano_empresa = 'Tamaño de la empresa (Microempresa, Pequeña, Mediana, Grande)',
    localidad = 'Localidad de la dirección comercial como la escribe la fuente',
    codigo_localidad = 'Código de la localidad de la dirección comercial (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    direccion_comercial = 'Celda de la cuadrícula urbana de la dirección comercial (por ejemplo CL 80-89 Sur x KR 90-99)',
    num_id_representante = 'Documento del representante legal seudonimizado (p_ + 16 hexadecimales)',
    activos_totales = 'Activos totales reportados en la última renovación, en pesos colombianos',
    empleados = 'Número de empleados reportado',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (matricula, codigo_localidad, version_raw)),
    unique_values(columns := (matricula)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := activos_totales, min_v := 0),
    accepted_range(column := empleados, min_v := 0),
    accepted_values(
      column := organizacion_juridica,
      is_in := (
        'Persona natural', 'Sociedad por acciones simplificada', 'Sociedad limitada',
        'Sociedad anónima', 'Empresa unipersonal', 'Sociedad en comandita simple'
      )
    ),
    accepted_values(column := estado_matricula, is_in := ('ACTIVA', 'CANCELADA', 'EN LIQUIDACION')),
    accepted_values(column := tamano_empresa, is_in := ('Microempresa', 'Pequeña', 'Mediana', 'Grande'))
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_matricula AS VARCHAR) AS _fecha,
    ROW_NUMBER() OVER (
      PARTITION BY matricula
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.desarrollo_economico.registro_empresas
  WHERE
    NOT matricula IS NULL
)
SELECT
  CAST(matricula AS VARCHAR) AS matricula,
  CAST(nit AS VARCHAR) AS nit,
  CAST(razon_social AS VARCHAR) AS razon_social,
  CAST(organizacion_juridica AS VARCHAR) AS organizacion_juridica,
  CAST(ciiu AS VARCHAR) AS ciiu,
  CAST(actividad_economica AS VARCHAR) AS actividad_economica,
  TRY_CAST(fecha_matricula AS DATE) AS fecha_matricula,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha, 1, 7)
    END AS VARCHAR
  ) AS periodo,
  TRY_CAST(fecha_renovacion AS DATE) AS fecha_renovacion,
  CAST(ultimo_ano_renovado AS INTEGER) AS ultimo_ano_renovado,
  CAST(estado_matricula AS VARCHAR) AS estado_matricula,
  CAST(tamano_empresa AS VARCHAR) AS tamano_empresa,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(direccion_comercial AS VARCHAR) AS direccion_comercial,
  CAST(num_id_representante AS VARCHAR) AS num_id_representante,
  CAST(activos_totales AS DOUBLE) AS activos_totales,
  CAST(empleados AS INTEGER) AS empleados,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
