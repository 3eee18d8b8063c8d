-- Conformed subsidy beneficiaries (one row per registration). The privacy step generalizes the
-- birth date to a decade ('1980-1989') and the gate may withhold it, sexo and estrato (null);
-- a real date, if one ever arrives, is reduced to its decade here too. The masked phone is not
-- carried into the conformed layer.
MODEL (
  name conformado.beneficiarios_subsidios,
  kind FULL,
  grain id_registro,
  depends_on [dim.localidad],
  description 'Beneficiarios de programas de apoyos y subsidios sociales de la Secretaría Distrital de Integración Social, conformados: una fila por registro, tipados, sin duplicados, con el código de la localidad de residencia y el periodo (AAAA-MM) de ingreso al programa. Fuente: curated.integracion_social.beneficiarios_subsidios (identificadores seudonimizados, nacimiento generalizado a década, cuasi-identificadores retenidos si la muestra es pequeña).',
  column_descriptions (
    id_registro = 'Identificador del registro de beneficiario seudonimizado (p_ + 16 hexadecimales)',
    programa = 'Programa o modalidad de apoyo',
    tipo_documento = 'Tipo de documento de identidad',
    numero_documento = 'Documento del beneficiario seudonimizado (p_ + 16 hexadecimales); permite contar personas sin identificarlas',
    decada_nacimiento = 'Década de nacimiento (por ejemplo 1980-1989); nula cuando la compuerta de privacidad la retiene',
    sexo = 'Sexo (Hombre, Mujer, Intersexual); nulo cuando la compuerta de privacidad lo retiene',
    nacionalidad = 'Nacionalidad; nula si es poco frecuente (supresión de privacidad)',
    localidad = 'Localidad de residencia como la escribe la fuente',
    codigo_localidad = 'Código de la localidad de residencia (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    estrato = 'Estrato socioeconómico de la vivienda (1-6); nulo cuando la compuerta de privacidad lo retiene',
    grupo_sisben = 'Grupo y subgrupo del Sisbén IV (A1-A5, B1-B7, C1-C18, D1-D21)',
    valor_subsidio = 'Valor mensual del apoyo en pesos colombianos',
    fecha_inicio = 'Fecha de ingreso al programa',
    periodo = 'Año y mes de ingreso al programa (AAAA-MM)',
    jefe_hogar = 'Si la persona es jefe de hogar',
    discapacidad = 'Tipo de discapacidad, si la hay',
    etnia = 'Pertenencia étnica autorreconocida',
    estado = 'Estado del beneficiario en el programa (Activo, Suspendido, Retirado)',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (id_registro, programa, codigo_localidad, version_raw)),
    unique_values(columns := (id_registro)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_range(column := estrato, min_v := 1, max_v := 6),
    accepted_range(column := valor_subsidio, min_v := 0),
    accepted_values(
      column := programa,
      is_in := (
        'Ingreso Mínimo Garantizado', 'Bono Canasta Alimentaria',
        'Apoyo Económico Tipo C - Persona Mayor', 'Jóvenes Reto - Parceros por Bogotá',
        'Apoyo Alimentario Gestantes y Lactantes', 'Apoyo Alimentario Primera Infancia',
        'Apoyo a Personas con Discapacidad y Cuidadores', 'Arriendo Solidario'
      )
    ),
    accepted_values(column := tipo_documento, is_in := ('CC', 'TI', 'CE', 'PEP', 'PPT', 'RC')),
    accepted_values(column := sexo, is_in := ('Hombre', 'Mujer', 'Intersexual')),
    accepted_values(column := nacionalidad, is_in := ('Colombiana', 'Venezolana', 'Otra')),
    accepted_values(
      column := discapacidad,
      is_in := ('Ninguna', 'Física', 'Visual', 'Auditiva', 'Cognitiva', 'Psicosocial', 'Múltiple')
    ),
    accepted_values(
      column := etnia,
      is_in := ('Ninguna', 'Afrocolombiano', 'Indígena', 'Raizal', 'Palenquero', 'Rrom', 'No informa')
    ),
    accepted_values(column := estado, is_in := ('Activo', 'Suspendido', 'Retirado'))
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_nacimiento AS VARCHAR) AS _nacimiento,
    CAST(fecha_inicio AS VARCHAR) AS _inicio,
    ROW_NUMBER() OVER (
      PARTITION BY id_registro
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.integracion_social.beneficiarios_subsidios
  WHERE
    NOT id_registro IS NULL
)
SELECT
  CAST(id_registro AS VARCHAR) AS id_registro,
  CAST(programa AS VARCHAR) AS programa,
  CAST(tipo_documento AS VARCHAR) AS tipo_documento,
  CAST(numero_documento AS VARCHAR) AS numero_documento,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_nacimiento, '^[0-9]{4}-[0-9]{4}$') THEN _nacimiento
      WHEN REGEXP_MATCHES(_nacimiento, '^[0-9]{4}')
      THEN CONCAT(SUBSTRING(_nacimiento, 1, 3), '0-', SUBSTRING(_nacimiento, 1, 3), '9')
    END AS VARCHAR
  ) AS decada_nacimiento,
  CAST(sexo AS VARCHAR) AS sexo,
  CAST(nacionalidad AS VARCHAR) AS nacionalidad,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(estrato AS INTEGER) AS estrato,
  CAST(grupo_sisben AS VARCHAR) AS grupo_sisben,
  CAST(valor_subsidio AS DOUBLE) AS valor_subsidio,
  TRY_CAST(fecha_inicio AS DATE) AS fecha_inicio,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_inicio, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_inicio, 1, 7)
    END AS VARCHAR
  ) AS periodo,
  CAST(jefe_hogar AS BOOLEAN) AS jefe_hogar,
  CAST(discapacidad AS VARCHAR) AS discapacidad,
  CAST(etnia AS VARCHAR) AS etnia,
  CAST(estado AS VARCHAR) AS estado,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
