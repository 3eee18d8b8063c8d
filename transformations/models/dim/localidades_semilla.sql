-- The 20 localidades with their official codes, plus the explicit unknowns (00 sin dato,
-- 98 fuera de Bogotá, 99 no identificada) so every normalized row joins the dimension.
MODEL (
  name dim.localidades_semilla,
  kind SEED (path '../../seeds/localidades.csv'),
  columns (
    codigo INTEGER,
    nombre VARCHAR,
    area VARCHAR,
    tiene_area_rural BOOLEAN,
    es_localidad BOOLEAN
  ),
  grain codigo,
  audits (not_null(columns := (codigo, nombre)), unique_values(columns := (codigo)))
);
