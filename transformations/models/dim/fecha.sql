MODEL (
  name dim.fecha,
  kind FULL,
  grain fecha,
  description 'Calendario diario 2015-2030 para agrupar por año, trimestre, mes y semana.',
  column_descriptions (
    fecha = 'Día',
    anio = 'Año',
    trimestre = 'Trimestre (1-4)',
    mes = 'Mes (1-12)',
    nombre_mes = 'Nombre del mes en español',
    periodo = 'Año y mes, AAAA-MM',
    dia = 'Día del mes',
    dia_semana = 'Día de la semana ISO (1 lunes - 7 domingo)',
    semana_iso = 'Semana ISO del año',
    fin_de_semana = 'Sábado o domingo'
  ),
  audits (not_null(columns := (fecha)), unique_values(columns := (fecha)))
);

SELECT
  CAST(d AS DATE) AS fecha,
  EXTRACT(YEAR FROM d) AS anio,
  EXTRACT(QUARTER FROM d) AS trimestre,
  EXTRACT(MONTH FROM d) AS mes,
  CASE EXTRACT(MONTH FROM d)
    WHEN 1 THEN 'enero' WHEN 2 THEN 'febrero' WHEN 3 THEN 'marzo' WHEN 4 THEN 'abril'
    WHEN 5 THEN 'mayo' WHEN 6 THEN 'junio' WHEN 7 THEN 'julio' WHEN 8 THEN 'agosto'
    WHEN 9 THEN 'septiembre' WHEN 10 THEN 'octubre' WHEN 11 THEN 'noviembre'
    ELSE 'diciembre'
  END AS nombre_mes,
  CONCAT(
    CAST(EXTRACT(YEAR FROM d) AS VARCHAR), '-', LPAD(CAST(EXTRACT(MONTH FROM d) AS VARCHAR), 2, '0')
  ) AS periodo,
  EXTRACT(DAY FROM d) AS dia,
  EXTRACT(ISODOW FROM d) AS dia_semana,
  EXTRACT(WEEK FROM d) AS semana_iso,
  EXTRACT(ISODOW FROM d) >= 6 AS fin_de_semana
FROM UNNEST(GENERATE_SERIES(CAST('2015-01-01' AS DATE), CAST('2030-12-31' AS DATE), INTERVAL '1' DAY)) AS t(d)
