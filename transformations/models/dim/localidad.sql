MODEL (
  name dim.localidad,
  kind FULL,
  grain codigo,
  description 'Las 20 localidades de Bogotá con su código oficial, área urbana o rural, sus UPZ y su población más reciente; más 00 (sin dato), 98 (fuera de Bogotá) y 99 (no identificada).',
  column_descriptions (
    codigo = 'Código oficial de la localidad (01-20); 00, 98 y 99 son desconocidas',
    nombre = 'Nombre oficial de la localidad',
    area = 'urbana o rural (Sumapaz es la única localidad rural)',
    tiene_area_rural = 'La localidad incluye suelo rural',
    es_localidad = 'Falso para 00, 98 y 99',
    num_upz = 'Número de UPZ y UPR registradas',
    upz = 'Nombres de las UPZ y UPR, separados por punto y coma',
    poblacion = 'Población del año más reciente de la semilla de población',
    anio_poblacion = 'Año de esa población',
    fuente_poblacion = 'Fuente de la cifra de población'
  ),
  audits (
    not_null(columns := (codigo, nombre)),
    unique_values(columns := (codigo)),
    number_of_rows(threshold := 22)
  )
);

WITH upz AS (
  SELECT
    codigo_localidad,
    COUNT(*) AS num_upz,
    STRING_AGG(upz, '; ' ORDER BY upz) AS upz
  FROM dim.upz_semilla
  GROUP BY codigo_localidad
), poblacion AS (
  SELECT
    codigo_localidad,
    anio,
    poblacion,
    fuente,
    ROW_NUMBER() OVER (PARTITION BY codigo_localidad ORDER BY anio DESC) AS reciente
  FROM dim.poblacion_semilla
)
SELECT
  CAST(LPAD(CAST(l.codigo AS VARCHAR), 2, '0') AS VARCHAR) AS codigo,
  l.nombre,
  l.area,
  l.tiene_area_rural,
  l.es_localidad,
  COALESCE(u.num_upz, 0) AS num_upz,
  u.upz,
  p.poblacion,
  p.anio AS anio_poblacion,
  p.fuente AS fuente_poblacion
FROM dim.localidades_semilla AS l
LEFT JOIN upz AS u
  ON u.codigo_localidad = l.codigo
LEFT JOIN poblacion AS p
  ON p.codigo_localidad = l.codigo AND p.reciente = 1
