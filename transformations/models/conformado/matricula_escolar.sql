-- Conformed school enrolment (SIMAT-like, one row per student and school year). The dataset is
-- annual: there is no date, so the model has anio and no monthly periodo. The privacy gate may
-- withhold sexo and estrato (null) and publishes the age as a band ('0-39').
MODEL (
  name conformado.matricula_escolar,
  kind FULL,
  grain (anio, id_estudiante),
  depends_on [dim.localidad],
  description 'Matrícula escolar en Bogotá, conformada: una fila por estudiante y año lectivo, tipada, sin duplicados, con el código de la localidad del colegio. Es anual (sin periodo mensual). Fuente: curated.educacion.matricula_escolar (identificadores seudonimizados, edad en rangos, sexo y estrato retenidos si la muestra es pequeña).',
  column_descriptions (
    anio = 'Año lectivo',
    id_estudiante = 'Identificador del estudiante en el SIMAT seudonimizado (p_ + 16 hexadecimales)',
    codigo_dane = 'Código DANE del establecimiento educativo',
    nombre_colegio = 'Nombre del colegio',
    sector = 'Sector del colegio (Oficial, No oficial)',
    zona = 'Zona del colegio (Urbana, Rural)',
    localidad = 'Localidad del colegio como la escribe la fuente',
    codigo_localidad = 'Código de la localidad del colegio (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    grado = 'Grado en que está matriculado el estudiante',
    jornada = 'Jornada escolar',
    tipo_documento = 'Tipo de documento del estudiante',
    numero_documento = 'Documento del estudiante seudonimizado (p_ + 16 hexadecimales)',
    edad = 'Rango de edad del estudiante en años (por ejemplo 5-9 o 0-39); texto',
    sexo = 'Sexo del estudiante (FEMENINO, MASCULINO); nulo cuando la compuerta de privacidad lo retiene',
    estrato = 'Estrato socioeconómico de la vivienda (0-6); nulo cuando la compuerta de privacidad lo retiene',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (anio, id_estudiante, codigo_localidad, version_raw)),
    unique_combination_of_columns(columns := (anio, id_estudiante)),
    localidad_existe(column := codigo_localidad),
    accepted_range(column := estrato, min_v := 0, max_v := 6),
    accepted_values(column := sector, is_in := ('Oficial', 'No oficial')),
    accepted_values(column := zona, is_in := ('Urbana', 'Rural')),
    accepted_values(
      column := grado,
      is_in := ('Prejardín', 'Jardín', 'Transición', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11')
    ),
    accepted_values(
      column := jornada,
      is_in := ('Mañana', 'Tarde', 'Única', 'Completa', 'Nocturna', 'Fin de semana')
    ),
    accepted_values(column := tipo_documento, is_in := ('RC', 'TI', 'CC', 'CE', 'PPT', 'MS', 'AS')),
    accepted_values(column := sexo, is_in := ('FEMENINO', 'MASCULINO'))
  )
);

WITH fuente AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY anio, id_estudiante
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.educacion.matricula_escolar
  WHERE
    NOT anio IS NULL AND NOT id_estudiante IS NULL
)
SELECT
  CAST(anio AS INTEGER) AS anio,
  CAST(id_estudiante AS VARCHAR) AS id_estudiante,
  CAST(codigo_dane AS VARCHAR) AS codigo_dane,
  CAST(nombre_colegio AS VARCHAR) AS nombre_colegio,
  CAST(sector AS VARCHAR) AS sector,
  CAST(zona AS VARCHAR) AS zona,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(grado AS VARCHAR) AS grado,
  CAST(jornada AS VARCHAR) AS jornada,
  CAST(tipo_documento AS VARCHAR) AS tipo_documento,
  CAST(numero_documento AS VARCHAR) AS numero_documento,
  CAST(edad AS VARCHAR) AS edad,
  CAST(sexo AS VARCHAR) AS sexo,
  CAST(estrato AS INTEGER) AS estrato,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
