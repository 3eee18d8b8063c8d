-- Territorial indicators mart: one row per localidad (the 20 of dim.localidad) and month.
--
-- * Periods: every month of dim.fecha between the first and the last period seen in the
--   sources below (so the series has no gaps; periods before 2015, e.g. old company
--   registrations, fall outside dim.fecha and only count in the stocks).
-- * Flows (notifications, victims, crashes, petitions) count the events of the month: 0 when the
--   localidad had none in a month the dataset covers, NULL outside the dataset's coverage (its
--   first to last period), so "no data" never reads as "zero events".
-- * Stocks (active beneficiaries, active companies) count the records in that state at the cut
--   that had joined/registered in the month or before, up to the dataset's last period.
-- * School enrolment is annual: every month of a school year carries that year's count.
-- * PM2.5 is the mean of the hourly measurements of the localidad's stations (RMCAB network and
--   the Bolivia station series, one value per station and hour); NULL where there is no station.
-- Rates use dim.localidad.poblacion (latest population year of the seed).
MODEL (
  name indicadores.localidad_periodo,
  kind FULL,
  grain (codigo_localidad, periodo),
  description 'Indicadores territoriales por localidad y mes de Bogotá en las dimensiones del modelo de ciudades y territorios inteligentes de MinTIC: notificaciones en salud y víctimas de siniestros viales por 100.000 habitantes, PM2,5 promedio, peticiones por 1.000 habitantes, matrícula escolar, beneficiarios de subsidios por 1.000 habitantes y empresas activas. Una fila por cada una de las 20 localidades en cada periodo; 0 cuando la localidad no tuvo eventos en un periodo que la fuente cubre y nulo fuera de la cobertura de la fuente. Las definiciones están en indicadores.definiciones.',
  column_descriptions (
    codigo_localidad = 'Código oficial de la localidad (01-20), llave a dim.localidad',
    localidad = 'Nombre oficial de la localidad',
    periodo = 'Año y mes (AAAA-MM)',
    anio = 'Año del periodo',
    poblacion = 'Población de la localidad usada en las tasas (año más reciente de dim.localidad)',
    notificaciones_salud = 'Notificaciones de eventos de interés en salud pública de residentes de la localidad en el mes; nulo fuera de la cobertura de la fuente',
    notificaciones_salud_100k = 'Notificaciones en salud por 100.000 habitantes en el mes',
    victimas_siniestros = 'Víctimas (heridos y muertos) de siniestros viales ocurridos en la localidad en el mes; nulo fuera de la cobertura de la fuente',
    victimas_siniestros_100k = 'Víctimas de siniestros viales por 100.000 habitantes en el mes',
    siniestros_viales = 'Siniestros viales registrados por la Secretaría Distrital de Movilidad en la localidad en el mes; nulo fuera de la cobertura de la fuente',
    siniestros_viales_100k = 'Siniestros viales por 100.000 habitantes en el mes',
    pm25_promedio = 'Promedio de las concentraciones horarias de PM2,5 (µg/m3) de las estaciones de la localidad en el mes; nulo si la localidad no tiene estación con mediciones',
    pm25_mediciones = 'Número de mediciones horarias de PM2,5 promediadas',
    peticiones = 'Peticiones (PQRS) radicadas sobre la localidad en el mes; nulo fuera de la cobertura de la fuente',
    peticiones_1000 = 'Peticiones (PQRS) por 1.000 habitantes en el mes',
    matriculados = 'Estudiantes matriculados en colegios de la localidad en el año lectivo del periodo; nulo si no hay matrícula publicada para ese año',
    beneficiarios_activos = 'Beneficiarios de subsidios en estado Activo a la fecha de corte que ingresaron al programa en el mes o antes; nulo después del último periodo de la fuente',
    beneficiarios_1000 = 'Beneficiarios activos de subsidios por 1.000 habitantes',
    empresas_activas = 'Matrículas mercantiles en estado ACTIVA a la fecha de corte registradas en el mes o antes, con dirección comercial en la localidad; nulo después del último periodo de la fuente'
  ),
  audits (
    not_null(columns := (codigo_localidad, localidad, periodo, anio, poblacion)),
    unique_combination_of_columns(columns := (codigo_localidad, periodo)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    localidades_completas(column := periodo),
    accepted_range(column := notificaciones_salud, min_v := 0),
    accepted_range(column := notificaciones_salud_100k, min_v := 0),
    accepted_range(column := victimas_siniestros, min_v := 0),
    accepted_range(column := victimas_siniestros_100k, min_v := 0),
    accepted_range(column := siniestros_viales, min_v := 0),
    accepted_range(column := siniestros_viales_100k, min_v := 0),
    accepted_range(column := pm25_promedio, min_v := 0),
    accepted_range(column := peticiones, min_v := 0),
    accepted_range(column := peticiones_1000, min_v := 0),
    accepted_range(column := matriculados, min_v := 0),
    accepted_range(column := beneficiarios_activos, min_v := 0),
    accepted_range(column := beneficiarios_1000, min_v := 0),
    accepted_range(column := empresas_activas, min_v := 0)
  )
);

WITH localidades AS (
  SELECT
    codigo AS codigo_localidad,
    nombre AS localidad,
    poblacion
  FROM dim.localidad
  WHERE
    es_localidad
), vistos AS (
  SELECT periodo FROM conformado.notificaciones_salud
  UNION ALL
  SELECT periodo FROM conformado.siniestros_viales
  UNION ALL
  SELECT periodo FROM conformado.siniestros_viales_sdm
  UNION ALL
  SELECT periodo FROM conformado.calidad_aire_rmcab
  UNION ALL
  SELECT periodo FROM conformado.rmcab_estacion_bolivia
  UNION ALL
  SELECT periodo FROM conformado.pqrs_peticiones
  UNION ALL
  SELECT periodo FROM conformado.beneficiarios_subsidios
  UNION ALL
  SELECT periodo FROM conformado.registro_empresas
), rango AS (
  SELECT
    MIN(periodo) AS desde,
    MAX(periodo) AS hasta
  FROM vistos
), periodos AS (
  SELECT DISTINCT
    f.periodo
  FROM dim.fecha AS f
  CROSS JOIN rango AS r
  WHERE
    f.periodo BETWEEN r.desde AND r.hasta
), base AS (
  SELECT
    l.codigo_localidad,
    l.localidad,
    l.poblacion,
    p.periodo,
    CAST(SUBSTRING(p.periodo, 1, 4) AS INTEGER) AS anio
  FROM localidades AS l
  CROSS JOIN periodos AS p
), cobertura AS (
  SELECT
    (SELECT MIN(periodo) FROM conformado.notificaciones_salud) AS notificaciones_desde,
    (SELECT MAX(periodo) FROM conformado.notificaciones_salud) AS notificaciones_hasta,
    (SELECT MIN(periodo) FROM conformado.siniestros_viales) AS victimas_desde,
    (SELECT MAX(periodo) FROM conformado.siniestros_viales) AS victimas_hasta,
    (SELECT MIN(periodo) FROM conformado.siniestros_viales_sdm) AS siniestros_desde,
    (SELECT MAX(periodo) FROM conformado.siniestros_viales_sdm) AS siniestros_hasta,
    (SELECT MIN(periodo) FROM conformado.pqrs_peticiones) AS peticiones_desde,
    (SELECT MAX(periodo) FROM conformado.pqrs_peticiones) AS peticiones_hasta,
    (SELECT MAX(periodo) FROM conformado.beneficiarios_subsidios) AS beneficiarios_hasta,
    (SELECT MAX(periodo) FROM conformado.registro_empresas) AS empresas_hasta
), notificaciones AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.notificaciones_salud
  GROUP BY
    codigo_localidad,
    periodo
), victimas AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.siniestros_viales
  GROUP BY
    codigo_localidad,
    periodo
), siniestros AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.siniestros_viales_sdm
  GROUP BY
    codigo_localidad,
    periodo
), aire_horario AS (
  SELECT
    estacion,
    fecha_hora,
    codigo_localidad,
    periodo,
    pm25,
    ROW_NUMBER() OVER (
      PARTITION BY UPPER(estacion), fecha_hora
      ORDER BY CASE WHEN pm25 IS NULL THEN 1 ELSE 0 END, prioridad
    ) AS fila
  FROM (
    SELECT estacion, fecha_hora, codigo_localidad, periodo, pm25, 1 AS prioridad
    FROM conformado.calidad_aire_rmcab
    UNION ALL
    SELECT estacion, fecha_hora, codigo_localidad, periodo, pm25, 2 AS prioridad
    FROM conformado.rmcab_estacion_bolivia
  ) AS mediciones
), aire AS (
  SELECT
    codigo_localidad,
    periodo,
    AVG(pm25) AS pm25,
    COUNT(pm25) AS mediciones
  FROM aire_horario
  WHERE
    fila = 1 AND NOT pm25 IS NULL
  GROUP BY
    codigo_localidad,
    periodo
), peticiones AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.pqrs_peticiones
  GROUP BY
    codigo_localidad,
    periodo
), matricula AS (
  SELECT
    codigo_localidad,
    anio,
    COUNT(*) AS n
  FROM conformado.matricula_escolar
  GROUP BY
    codigo_localidad,
    anio
), anios_matricula AS (
  SELECT DISTINCT
    anio
  FROM conformado.matricula_escolar
), beneficiarios_mes AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.beneficiarios_subsidios
  WHERE
    estado = 'Activo' AND NOT periodo IS NULL
  GROUP BY
    codigo_localidad,
    periodo
), beneficiarios AS (
  SELECT
    b.codigo_localidad,
    b.periodo,
    SUM(m.n) AS n
  FROM base AS b
  INNER JOIN beneficiarios_mes AS m
    ON m.codigo_localidad = b.codigo_localidad AND m.periodo <= b.periodo
  GROUP BY
    b.codigo_localidad,
    b.periodo
), empresas_mes AS (
  SELECT
    codigo_localidad,
    periodo,
    COUNT(*) AS n
  FROM conformado.registro_empresas
  WHERE
    estado_matricula = 'ACTIVA' AND NOT periodo IS NULL
  GROUP BY
    codigo_localidad,
    periodo
), empresas AS (
  SELECT
    b.codigo_localidad,
    b.periodo,
    SUM(m.n) AS n
  FROM base AS b
  INNER JOIN empresas_mes AS m
    ON m.codigo_localidad = b.codigo_localidad AND m.periodo <= b.periodo
  GROUP BY
    b.codigo_localidad,
    b.periodo
), conteos AS (
  SELECT
    b.codigo_localidad,
    b.localidad,
    b.periodo,
    b.anio,
    b.poblacion,
    CASE
      WHEN b.periodo BETWEEN c.notificaciones_desde AND c.notificaciones_hasta
      THEN COALESCE(n.n, 0)
    END AS notificaciones_salud,
    CASE
      WHEN b.periodo BETWEEN c.victimas_desde AND c.victimas_hasta
      THEN COALESCE(v.n, 0)
    END AS victimas_siniestros,
    CASE
      WHEN b.periodo BETWEEN c.siniestros_desde AND c.siniestros_hasta
      THEN COALESCE(s.n, 0)
    END AS siniestros_viales,
    a.pm25 AS pm25_promedio,
    COALESCE(a.mediciones, 0) AS pm25_mediciones,
    CASE
      WHEN b.periodo BETWEEN c.peticiones_desde AND c.peticiones_hasta
      THEN COALESCE(p.n, 0)
    END AS peticiones,
    CASE WHEN NOT am.anio IS NULL THEN COALESCE(m.n, 0) END AS matriculados,
    CASE WHEN b.periodo <= c.beneficiarios_hasta THEN COALESCE(bs.n, 0) END AS beneficiarios_activos,
    CASE WHEN b.periodo <= c.empresas_hasta THEN COALESCE(e.n, 0) END AS empresas_activas
  FROM base AS b
  CROSS JOIN cobertura AS c
  LEFT JOIN notificaciones AS n
    ON n.codigo_localidad = b.codigo_localidad AND n.periodo = b.periodo
  LEFT JOIN victimas AS v
    ON v.codigo_localidad = b.codigo_localidad AND v.periodo = b.periodo
  LEFT JOIN siniestros AS s
    ON s.codigo_localidad = b.codigo_localidad AND s.periodo = b.periodo
  LEFT JOIN aire AS a
    ON a.codigo_localidad = b.codigo_localidad AND a.periodo = b.periodo
  LEFT JOIN peticiones AS p
    ON p.codigo_localidad = b.codigo_localidad AND p.periodo = b.periodo
  LEFT JOIN anios_matricula AS am
    ON am.anio = b.anio
  LEFT JOIN matricula AS m
    ON m.codigo_localidad = b.codigo_localidad AND m.anio = b.anio
  LEFT JOIN beneficiarios AS bs
    ON bs.codigo_localidad = b.codigo_localidad AND bs.periodo = b.periodo
  LEFT JOIN empresas AS e
    ON e.codigo_localidad = b.codigo_localidad AND e.periodo = b.periodo
)
SELECT
  CAST(codigo_localidad AS VARCHAR) AS codigo_localidad,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(periodo AS VARCHAR) AS periodo,
  CAST(anio AS INTEGER) AS anio,
  CAST(poblacion AS BIGINT) AS poblacion,
  CAST(notificaciones_salud AS BIGINT) AS notificaciones_salud,
  CAST(ROUND(CAST(notificaciones_salud AS DOUBLE) * 100000 / CAST(poblacion AS DOUBLE), 2) AS DOUBLE) AS notificaciones_salud_100k,
  CAST(victimas_siniestros AS BIGINT) AS victimas_siniestros,
  CAST(ROUND(CAST(victimas_siniestros AS DOUBLE) * 100000 / CAST(poblacion AS DOUBLE), 2) AS DOUBLE) AS victimas_siniestros_100k,
  CAST(siniestros_viales AS BIGINT) AS siniestros_viales,
  CAST(ROUND(CAST(siniestros_viales AS DOUBLE) * 100000 / CAST(poblacion AS DOUBLE), 2) AS DOUBLE) AS siniestros_viales_100k,
  CAST(ROUND(pm25_promedio, 2) AS DOUBLE) AS pm25_promedio,
  CAST(pm25_mediciones AS BIGINT) AS pm25_mediciones,
  CAST(peticiones AS BIGINT) AS peticiones,
  CAST(ROUND(CAST(peticiones AS DOUBLE) * 1000 / CAST(poblacion AS DOUBLE), 4) AS DOUBLE) AS peticiones_1000,
  CAST(matriculados AS BIGINT) AS matriculados,
  CAST(beneficiarios_activos AS BIGINT) AS beneficiarios_activos,
  CAST(ROUND(CAST(beneficiarios_activos AS DOUBLE) * 1000 / CAST(poblacion AS DOUBLE), 4) AS DOUBLE) AS beneficiarios_1000,
  CAST(empresas_activas AS BIGINT) AS empresas_activas
FROM conteos
