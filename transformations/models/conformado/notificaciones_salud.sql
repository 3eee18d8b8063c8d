-- Conformed health notifications (SIVIGILA-like): one row per notification, typed, with the
-- localidad code and the month. The curated source is privacy-treated: dates come as 'AAAA-MM'
-- (or 'AAAA' when the gate generalizes further), ages as bands ('0-39'), ids as pseudonyms, and
-- quasi-identifiers such as sexo may be withheld (null).
MODEL (
  name conformado.notificaciones_salud,
  kind FULL,
  grain id_notificacion,
  depends_on [dim.localidad],
  description 'Notificaciones individuales de eventos de interés en salud pública (SIVIGILA) en Bogotá, conformadas: una fila por notificación, tipadas, sin duplicados, con el código de la localidad de residencia y el periodo (AAAA-MM) de notificación. Fuente: curated.salud.notificaciones_salud (con tratamiento de privacidad: fechas generalizadas a mes, edades en rangos, identificadores seudonimizados).',
  column_descriptions (
    id_notificacion = 'Identificador de la notificación (seudónimo p_ + 16 hexadecimales)',
    periodo = 'Año y mes de notificación (AAAA-MM); nulo si la fuente solo publica el año',
    anio = 'Año epidemiológico de la notificación',
    semana_epidemiologica = 'Semana epidemiológica de la notificación (1-53)',
    cod_evento = 'Código INS del evento de interés en salud pública',
    evento = 'Nombre del evento de interés en salud pública',
    periodo_inicio_sintomas = 'Año y mes de inicio de síntomas (AAAA-MM); nulo si no se informó o se generalizó al año',
    tipo_documento = 'Tipo de documento del paciente (CC, TI, RC, CE, PA, PPT, PEP; MS/AS sin identificación)',
    numero_documento = 'Documento del paciente seudonimizado (p_ + 16 hexadecimales); permite contar personas sin identificarlas',
    edad = 'Rango de edad del paciente (por ejemplo 20-24 o 0-39), en la unidad de unidad_edad; texto',
    unidad_edad = 'Unidad de la edad (Años, Meses, Días)',
    sexo = 'Sexo del paciente (F/M); nulo cuando la compuerta de privacidad lo retiene',
    localidad = 'Localidad de residencia como la escribe la fuente',
    codigo_localidad = 'Código de la localidad de residencia (01-20; 00 sin dato, 98 fuera de Bogotá, 99 no identificada), llave a dim.localidad',
    regimen = 'Régimen de afiliación al sistema de salud',
    eps = 'EPS del paciente; nula si es poco frecuente (supresión de privacidad)',
    upgd = 'Unidad primaria generadora de datos que notificó; nula si es poco frecuente',
    peso_kg = 'Peso del paciente en kilogramos',
    temperatura = 'Temperatura corporal en grados Celsius al momento de la consulta',
    hospitalizado = 'Si el paciente fue hospitalizado',
    condicion_final = 'Condición final del paciente (Vivo, Muerto, No sabe)',
    version_raw = 'Versión de la zona raw de la que proviene la fila (trazabilidad)'
  ),
  audits (
    not_null(columns := (id_notificacion, evento, codigo_localidad, version_raw)),
    unique_values(columns := (id_notificacion)),
    localidad_existe(column := codigo_localidad),
    periodo_valido(column := periodo),
    periodo_valido(column := periodo_inicio_sintomas),
    accepted_range(column := semana_epidemiologica, min_v := 1, max_v := 53),
    accepted_values(
      column := cod_evento,
      is_in := ('345', '348', '210', '220', '813', '831', '365', '875', '356', '300', '113', '110', '549', '620', '850', '740', '155', '342')
    ),
    accepted_values(
      column := evento,
      is_in := (
        'ESI - IRAG (vigilancia centinela)', 'IRAG inusitado', 'Dengue', 'Dengue grave',
        'Tuberculosis', 'Varicela individual', 'Intoxicaciones por sustancias químicas',
        'Violencia de género e intrafamiliar', 'Intento de suicidio',
        'Agresiones por animales potencialmente transmisores de rabia',
        'Desnutrición aguda en menores de 5 años', 'Bajo peso al nacer',
        'Morbilidad materna extrema', 'Parotiditis', 'VIH/SIDA/Mortalidad por SIDA',
        'Sífilis gestacional', 'Cáncer de mama y cuello uterino', 'Enfermedades huérfanas - raras'
      )
    ),
    accepted_values(column := tipo_documento, is_in := ('CC', 'TI', 'RC', 'CE', 'PA', 'PPT', 'PEP', 'MS', 'AS')),
    accepted_values(column := unidad_edad, is_in := ('Años', 'Meses', 'Días')),
    accepted_values(column := sexo, is_in := ('F', 'M')),
    accepted_values(column := regimen, is_in := ('Contributivo', 'Subsidiado', 'Especial', 'Excepción', 'No asegurado')),
    accepted_values(column := condicion_final, is_in := ('Vivo', 'Muerto', 'No sabe'))
  )
);

WITH fuente AS (
  SELECT
    *,
    ROW_NUMBER() OVER (
      PARTITION BY id_notificacion
      ORDER BY _ada_raw_version DESC, _ada_record DESC
    ) AS _fila
  FROM curated.salud.notificaciones_salud
  WHERE
    NOT id_notificacion IS NULL
)
SELECT
  CAST(id_notificacion AS VARCHAR) AS id_notificacion,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(CAST(fecha_notificacion AS VARCHAR), '^[0-9]{4}-(0[1-9]|1[0-2])')
      THEN SUBSTRING(CAST(fecha_notificacion AS VARCHAR), 1, 7)
    END AS VARCHAR
  ) AS periodo,
  CAST(anio AS INTEGER) AS anio,
  CAST(semana_epidemiologica AS INTEGER) AS semana_epidemiologica,
  CAST(cod_evento AS VARCHAR) AS cod_evento,
  CAST(evento AS VARCHAR) AS evento,
  CAST(
    CASE
      WHEN REGEXP_MATCHES(CAST(fecha_inicio_sintomas AS VARCHAR), '^[0-9]{4}-(0[1-9]|1[0-2])')
      THEN SUBSTRING(CAST(fecha_inicio_sintomas AS VARCHAR), 1, 7)
    END AS VARCHAR
  ) AS periodo_inicio_sintomas,
  CAST(tipo_documento AS VARCHAR) AS tipo_documento,
  CAST(numero_documento AS VARCHAR) AS numero_documento,
  CAST(edad AS VARCHAR) AS edad,
  CAST(unidad_edad AS VARCHAR) AS unidad_edad,
  CAST(sexo AS VARCHAR) AS sexo,
  CAST(localidad AS VARCHAR) AS localidad,
  CAST(@localidad_codigo(localidad) AS VARCHAR) AS codigo_localidad,
  CAST(regimen AS VARCHAR) AS regimen,
  CAST(eps AS VARCHAR) AS eps,
  CAST(upgd AS VARCHAR) AS upgd,
  CAST(peso_kg AS DOUBLE) AS peso_kg,
  CAST(temperatura AS DOUBLE) AS temperatura,
  CAST(hospitalizado AS BOOLEAN) AS hospitalizado,
  CAST(condicion_final AS VARCHAR) AS condicion_final,
  CAST(_ada_raw_version AS VARCHAR) AS version_raw
FROM fuente
WHERE
  _fila = 1
