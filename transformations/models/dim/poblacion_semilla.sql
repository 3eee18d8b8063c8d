-- Population by localidad and year for rates. SAMPLE figures (rounded DANE/SDP projections),
-- labelled as such in the `fuente` column: replace the CSV with the official table.
MODEL (
  name dim.poblacion_semilla,
  kind SEED (path '../../seeds/poblacion_localidad.csv'),
  columns (codigo_localidad INTEGER, anio INTEGER, poblacion BIGINT, fuente VARCHAR),
  grain (codigo_localidad, anio),
  audits (not_null(columns := (codigo_localidad, anio, poblacion)))
);
