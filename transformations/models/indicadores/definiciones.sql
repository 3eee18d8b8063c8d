-- Indicator metadata the catalog shows: one row per indicator of the territorial marts, with its
-- MinTIC dimension, unit, formula and source datasets. The code is the indicator's column in the
-- model named in `modelo`.
MODEL (
  name indicadores.definiciones,
  kind FULL,
  grain codigo,
  description 'Definiciones de los indicadores territoriales de Bogotá: código (columna en el modelo indicado), nombre, dimensión del modelo de ciudades y territorios inteligentes de MinTIC, unidad, fórmula y conjuntos de datos fuente.',
  column_descriptions (
    codigo = 'Código del indicador; es el nombre de su columna en el modelo',
    nombre = 'Nombre del indicador',
    dimension = 'Dimensión del modelo de ciudades y territorios inteligentes de MinTIC (Calidad de Vida, Desarrollo Económico, Gobernanza, Hábitat, Medio Ambiente, Personas)',
    unidad = 'Unidad de medida',
    formula = 'Fórmula de cálculo',
    fuente = 'Identificadores de los conjuntos de datos fuente, separados por coma',
    modelo = 'Modelo que publica el indicador',
    nota = 'Cobertura y tratamiento de ceros y nulos'
  ),
  audits (
    not_null(columns := (codigo, nombre, dimension, unidad, formula, fuente, modelo)),
    unique_values(columns := (codigo)),
    accepted_values(
      column := dimension,
      is_in := ('Calidad de Vida', 'Desarrollo Económico', 'Gobernanza', 'Hábitat', 'Medio Ambiente', 'Personas')
    )
  )
);

SELECT
  CAST(codigo AS VARCHAR) AS codigo,
  CAST(nombre AS VARCHAR) AS nombre,
  CAST(dimension AS VARCHAR) AS dimension,
  CAST(unidad AS VARCHAR) AS unidad,
  CAST(formula AS VARCHAR) AS formula,
  CAST(fuente AS VARCHAR) AS fuente,
  CAST(modelo AS VARCHAR) AS modelo,
  CAST(nota AS VARCHAR) AS nota
FROM (
  VALUES
    (
      'notificaciones_salud_100k',
      'Notificaciones de eventos de interés en salud pública por 100.000 habitantes',
      'Calidad de Vida',
      'notificaciones por 100.000 habitantes',
      'notificaciones del mes con residencia en la localidad / población de la localidad × 100.000',
      'notificaciones_salud',
      'indicadores.localidad_periodo',
      'Mes de notificación. 0 si no hubo notificaciones en un mes cubierto por la fuente; nulo fuera de su cobertura.'
    ),
    (
      'victimas_siniestros_100k',
      'Víctimas de siniestros viales por 100.000 habitantes',
      'Hábitat',
      'víctimas por 100.000 habitantes',
      'víctimas (heridos y muertos) de siniestros ocurridos en la localidad en el mes / población de la localidad × 100.000',
      'siniestros_viales',
      'indicadores.localidad_periodo',
      'Mes de ocurrencia. 0 si no hubo víctimas en un mes cubierto por la fuente; nulo fuera de su cobertura.'
    ),
    (
      'siniestros_viales_100k',
      'Siniestros viales por 100.000 habitantes',
      'Hábitat',
      'siniestros por 100.000 habitantes',
      'siniestros ocurridos en la localidad en el mes / población de la localidad × 100.000',
      'siniestros_viales_sdm',
      'indicadores.localidad_periodo',
      'Mes de ocurrencia. 0 si no hubo siniestros en un mes cubierto por la fuente; nulo fuera de su cobertura.'
    ),
    (
      'pm25_promedio',
      'Concentración promedio de material particulado PM2,5',
      'Medio Ambiente',
      'µg/m3',
      'promedio de las concentraciones horarias de PM2,5 de las estaciones de la localidad en el mes (una medición por estación y hora)',
      'calidad_aire_rmcab, rmcab_estacion_bolivia',
      'indicadores.localidad_periodo',
      'Nulo si la localidad no tiene estación de la RMCAB con mediciones en el mes.'
    ),
    (
      'peticiones_1000',
      'Peticiones ciudadanas (PQRS) por 1.000 habitantes',
      'Gobernanza',
      'peticiones por 1.000 habitantes',
      'peticiones radicadas sobre la localidad en el mes / población de la localidad × 1.000',
      'pqrs_peticiones',
      'indicadores.localidad_periodo',
      'Mes de radicación. 0 si no hubo peticiones en un mes cubierto por la fuente; nulo fuera de su cobertura. Las peticiones cuya localidad retiene la compuerta de privacidad no se asignan a ninguna localidad.'
    ),
    (
      'peticiones_tema_1000',
      'Peticiones ciudadanas (PQRS) por tema por 1.000 habitantes',
      'Gobernanza',
      'peticiones por 1.000 habitantes',
      'peticiones con el tema radicadas sobre la localidad en el mes / población de la localidad × 1.000',
      'pqrs_peticiones',
      'indicadores.peticiones_tema',
      'Una fila por localidad, mes cubierto por la fuente y tema; 0 si no hubo peticiones.'
    ),
    (
      'matriculados',
      'Estudiantes matriculados',
      'Personas',
      'estudiantes',
      'número de estudiantes matriculados en colegios de la localidad en el año lectivo del periodo',
      'matricula_escolar',
      'indicadores.localidad_periodo',
      'Anual: todos los meses de un año lectivo llevan la matrícula de ese año. Nulo si no hay matrícula publicada para el año.'
    ),
    (
      'beneficiarios_1000',
      'Beneficiarios activos de subsidios sociales por 1.000 habitantes',
      'Personas',
      'beneficiarios por 1.000 habitantes',
      'beneficiarios en estado Activo a la fecha de corte con ingreso al programa en el mes o antes, residentes en la localidad / población de la localidad × 1.000',
      'beneficiarios_subsidios',
      'indicadores.localidad_periodo',
      'Existencias aproximadas con el estado a la fecha de corte. Nulo después del último mes de la fuente.'
    ),
    (
      'empresas_activas',
      'Empresas activas',
      'Desarrollo Económico',
      'empresas',
      'matrículas mercantiles en estado ACTIVA a la fecha de corte, registradas en el mes o antes, con dirección comercial en la localidad',
      'registro_empresas',
      'indicadores.localidad_periodo',
      'Existencias aproximadas con el estado a la fecha de corte. Nulo después del último mes de la fuente.'
    )
) AS v(codigo, nombre, dimension, unidad, formula, fuente, modelo, nota)
