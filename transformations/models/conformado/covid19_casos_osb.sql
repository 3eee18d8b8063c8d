-- Conformed COVID-19 cases (OSB export of May 2020). The source has no case id: the record
-- number in the source file identifies the row. The privacy gate may publish the diagnosis date
-- as a month ('2020-05') or, for k-anonymity, only as the year ('2020'): then periodo is null and
-- anio keeps the year.
MODEL (
  name conformado.covid19_casos_osb,
  kind FULL,
  grain registro_fuente,
  depends_on [dim.localidad],
  description 'Casos confirmados de COVID-19 en Bogotá (corte mayo de 2020, Observatorio de Salud de Bogotá), conformados: una fila por caso, tipados, sin duplicados, con el código de la localidad de residencia, el periodo (AAAA-MM) y el año de diagnóstico. La fuente no trae identificador de caso: se usa el número de registro en el archivo fuente. Fuente: curated.salud.covid19_casos_osb (fecha generalizada a mes o año, edad en rangos).',
  column_descriptions (
    registro_fuente = 'Número del registro en el archivo fuente (la fuente no trae identificador de caso)',
    periodo = 'Año y mes de diagnóstico (AAAA-MM); nulo si la compuerta de privacidad solo publica el año',
    anio = 'Año de diagnóstico',
    ciudad_residencia = 'Ciudad de residencia del caso',
    localidad_residencia = 'Localidad de residencia como la escribe la fuente',
    codigo_localidad = 'Código de la localidad de residencia (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    edad = 'Rango de edad del caso en años (por ejemplo 20-24 o 0-39); texto',
    sexo = 'Sexo del caso (F/M); nulo cuando la compuerta de privacidad lo retiene',
    tipo_caso = 'Tipo de caso (Importado, Relacionado, En estudio)',
    ubicacion = 'Dónde se encuentra el caso (casa, hospital, UCI, fallecido)',
    estado = 'Estado del caso (leve, moderado, grave, recuperado, fallecido)',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (registro_fuente, codigo_localidad, version_raw)),
    unique_values(columns := (registro_fuente)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    accepted_values(column := sexo, is_in := ('F', 'M')),
    accepted_values(column := tipo_caso, is_in := ('Importado', 'Relacionado', 'En estudio'))
  )
);

WITH fuente AS (
  SELECT
    *,
    CAST(fecha_diagnostico AS VARCHAR) AS _fecha,
    ROW_NUMBER() OVER (PARTITION BY _ada_record ORDER BY _ada_raw_version DESC) AS _fila
  FROM curated.salud.covid19_casos_osb
  WHERE
    NOT _ada_record IS NULL
)
SELECT
  CAST(_ada_record AS BIGINT) AS registro_fuente,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}-(0[1-9]|1[0-2])') THEN SUBSTRING(_fecha, 1, 7)
    END AS VARCHAR
  ) AS periodo,
  CAST(CASE WHEN REGEXP_MATCHES(_fecha, '^[0-9]{4}') THEN SUBSTRING(_fecha, 1, 4) END AS INTEGER) AS anio,
  CAST(ciudad_residencia AS VARCHAR) AS ciudad_residencia,
  CAST(localidad_residencia AS VARCHAR) AS localidad_residencia,
  CAST(@localidad_codigo(localidad_residencia) AS VARCHAR) AS codigo_localidad,
  CAST(edad AS VARCHAR) AS edad,
  CAST(sexo AS VARCHAR) AS sexo,
  CAST(tipo_caso AS VARCHAR) AS tipo_caso,
  CAST(ubicacion AS VARCHAR) AS ubicacion,
  CAST(estado AS VARCHAR) AS estado,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
