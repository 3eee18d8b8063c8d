-- UPZ (urban planning units) and UPR (rural) of each localidad, as the sample data knows them.
MODEL (
  name dim.upz_semilla,
  kind SEED (path '../../seeds/upz.csv'),
  columns (codigo_localidad INTEGER, upz VARCHAR, tipo VARCHAR),
  grain (codigo_localidad, upz),
  audits (not_null(columns := (codigo_localidad, upz)))
);
