"""Static reference data about Bogotá that the sample datasets draw from.

Kept apart from the generators so that every dataset agrees on the same territory: the 20
localidades with their population weights, a few UPZ and barrios each, the street-grid ranges
that make an address plausible for its localidad, and the RMCAB air-quality stations.
Figures are rounded public figures (DANE/SDP projections); they only need to look right.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np


def strip_accents(text: str) -> str:
    """``Usaquén`` → ``Usaquen``: how many district systems export names."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Localidad:
    code: int
    name: str
    population_k: float  # thousands of inhabitants, rounded
    lat: float  # rough centroid of the urban part
    lon: float
    calles: tuple[int, int]  # range of "calle" numbers in the localidad
    sur: float  # share of addresses with the "Sur" suffix
    carreras: tuple[int, int]
    este: float  # share of addresses with the "Este" suffix
    upz: tuple[str, ...]
    barrios: tuple[str, ...]

    @property
    def code_name(self) -> str:
        return f"{self.code:02d} - {self.name}"


# fmt: off
LOCALIDADES: tuple[Localidad, ...] = (
    Localidad(1, "Usaquén", 570, 4.7205, -74.0330, (100, 193), 0.0, (1, 60), 0.05,
              ("Paseo de los Libertadores", "Verbenal", "La Uribe", "San Cristóbal Norte",
               "Toberín", "Los Cedros", "Usaquén", "Country Club", "Santa Bárbara"),
              ("Cedritos", "Santa Bárbara", "Toberín", "Verbenal", "Country Club", "Usaquén",
               "San Cristóbal Norte", "El Codito", "Barrancas", "Lisboa")),
    Localidad(2, "Chapinero", 170, 4.6480, -74.0600, (39, 100), 0.0, (1, 30), 0.10,
              ("El Refugio", "San Isidro Patios", "Pardo Rubio", "Chicó Lago", "Chapinero"),
              ("Chapinero Central", "Chicó Norte", "El Lago", "Rosales", "Quinta Camacho",
               "La Salle", "Marly", "El Retiro", "San Luis")),
    Localidad(3, "Santa Fe", 105, 4.6050, -74.0700, (1, 39), 0.10, (1, 14), 0.30,
              ("Sagrado Corazón", "La Macarena", "Las Nieves", "Las Cruces", "Lourdes"),
              ("La Macarena", "Las Nieves", "Las Cruces", "La Perseverancia", "Girardot",
               "Lourdes", "Santa Inés", "Egipto")),
    Localidad(4, "San Cristóbal", 400, 4.5600, -74.0850, (1, 50), 0.95, (1, 15), 0.50,
              ("San Blas", "Sosiego", "20 de Julio", "La Gloria", "Los Libertadores"),
              ("20 de Julio", "San Blas", "La Victoria", "Altamira", "Los Libertadores",
               "La Gloria", "Villa Javier", "Juan Rey")),
    Localidad(5, "Usme", 380, 4.5000, -74.1100, (60, 138), 1.0, (1, 20), 0.40,
              ("La Flora", "Danubio", "Gran Yomasa", "Comuneros", "Alfonso López",
               "Parque Entrenubes", "Ciudad Usme"),
              ("Santa Librada", "Yomasa", "Usme Centro", "La Aurora", "Alfonso López",
               "Danubio Azul", "Monteblanco", "Compostela")),
    Localidad(6, "Tunjuelito", 190, 4.5800, -74.1350, (44, 70), 1.0, (10, 60), 0.0,
              ("Venecia", "Tunjuelito"),
              ("Venecia", "Tunjuelito", "San Carlos", "Fátima", "Isla del Sol", "El Carmen",
               "Abraham Lincoln")),
    Localidad(7, "Bosa", 800, 4.6150, -74.1900, (49, 90), 1.0, (72, 110), 0.0,
              ("Apogeo", "Bosa Occidental", "Bosa Central", "El Porvenir", "Tintal Sur"),
              ("Bosa Centro", "La Libertad", "El Recreo", "Bosa Piamonte", "San Bernardino",
               "Islandia", "Brasil", "Olarte", "El Porvenir")),
    Localidad(8, "Kennedy", 1040, 4.6300, -74.1500, (1, 60), 0.70, (68, 100), 0.0,
              ("Américas", "Carvajal", "Castilla", "Kennedy Central", "Timiza", "Tintal Norte",
               "Calandaima", "Corabastos", "Gran Britalia", "Patio Bonito", "Las Margaritas",
               "Bavaria"),
              ("Kennedy Central", "Patio Bonito", "Timiza", "Castilla", "Marsella",
               "Tintalito", "Britalia", "Carvajal", "Techo", "Class", "Roma", "Las Américas")),
    Localidad(9, "Fontibón", 420, 4.6750, -74.1450, (13, 26), 0.0, (86, 135), 0.0,
              ("Fontibón", "Fontibón San Pablo", "Zona Franca", "Ciudad Salitre Occidental",
               "Granjas de Techo", "Modelia", "Capellanía", "Aeropuerto El Dorado"),
              ("Fontibón Centro", "Modelia", "Hayuelos", "Salitre Occidental", "Villemar",
               "La Esperanza", "Capellanía", "Zona Franca")),
    Localidad(10, "Engativá", 830, 4.7000, -74.1100, (26, 90), 0.0, (68, 130), 0.0,
              ("Las Ferias", "Minuto de Dios", "Boyacá Real", "Santa Cecilia", "Bolivia",
               "Garcés Navas", "Engativá", "Jardín Botánico", "Álamos"),
              ("Las Ferias", "Minuto de Dios", "Bolivia", "Garcés Navas", "Villa Luz",
               "Normandía", "Quirigua", "Álamos Norte", "Engativá Pueblo", "Boyacá Real")),
    Localidad(11, "Suba", 1280, 4.7450, -74.0850, (80, 170), 0.0, (45, 160), 0.0,
              ("La Academia", "Guaymaral", "San José de Bavaria", "Britalia", "El Prado",
               "La Alhambra", "Casa Blanca Suba", "Niza", "La Floresta", "Suba", "El Rincón",
               "Tibabuyes"),
              ("Suba Centro", "Niza", "La Gaitana", "El Rincón", "Tibabuyes", "Lisboa",
               "Colina Campestre", "Pinar de Suba", "Mazurén", "Alhambra", "Bilbao",
               "Prado Veraniego")),
    Localidad(12, "Barrios Unidos", 180, 4.6700, -74.0750, (63, 100), 0.0, (14, 70), 0.0,
              ("Los Andes", "Doce de Octubre", "Los Alcázares", "Parque Salitre"),
              ("Doce de Octubre", "Los Alcázares", "Siete de Agosto", "La Castellana",
               "Rionegro", "San Fernando", "Jorge Eliécer Gaitán")),
    Localidad(13, "Teusaquillo", 215, 4.6400, -74.0900, (26, 63), 0.0, (14, 68), 0.0,
              ("Galerías", "Teusaquillo", "Parque Simón Bolívar - CAN", "La Esmeralda",
               "Quinta Paredes", "Ciudad Salitre Oriental"),
              ("Galerías", "Teusaquillo", "La Soledad", "Palermo", "Quinta Paredes",
               "La Esmeralda", "Nicolás de Federmán", "Ciudad Salitre Oriental")),
    Localidad(14, "Los Mártires", 85, 4.6050, -74.0900, (1, 26), 0.05, (14, 30), 0.0,
              ("Santa Isabel", "La Sabana"),
              ("Santa Isabel", "Eduardo Santos", "Ricaurte", "Voto Nacional", "La Favorita",
               "Paloquemao")),
    Localidad(15, "Antonio Nariño", 85, 4.5900, -74.1000, (1, 27), 0.95, (10, 30), 0.0,
              ("Ciudad Jardín", "Restrepo"),
              ("Restrepo", "Ciudad Jardín Sur", "Santander", "La Fragua", "Policarpa",
               "Villa Mayor")),
    Localidad(16, "Puente Aranda", 250, 4.6150, -74.1150, (1, 26), 0.40, (30, 68), 0.0,
              ("Ciudad Montes", "Muzú", "San Rafael", "Zona Industrial", "Puente Aranda"),
              ("Ciudad Montes", "Muzú", "Primavera", "Galán", "San Rafael", "Pensilvania",
               "Tejar", "Alcalá")),
    Localidad(17, "La Candelaria", 20, 4.5970, -74.0720, (6, 20), 0.0, (1, 10), 0.20,
              ("La Candelaria",),
              ("La Concordia", "Egipto", "Belén", "Santa Bárbara", "Las Aguas",
               "Centro Administrativo")),
    Localidad(18, "Rafael Uribe Uribe", 380, 4.5750, -74.1150, (22, 60), 1.0, (1, 30), 0.15,
              ("San José", "Quiroga", "Marco Fidel Suárez", "Marruecos", "Diana Turbay"),
              ("Quiroga", "Olaya", "Marco Fidel Suárez", "Diana Turbay", "Marruecos",
               "Molinos", "San Jorge", "Claret")),
    Localidad(19, "Ciudad Bolívar", 620, 4.5600, -74.1500, (59, 90), 1.0, (18, 75), 0.0,
              ("El Mochuelo", "Monteblanco", "Arborizadora", "San Francisco", "Lucero",
               "El Tesoro", "Ismael Perdomo", "Jerusalém"),
              ("Lucero Alto", "Arborizadora Alta", "Candelaria La Nueva", "Perdomo",
               "Sierra Morena", "Jerusalén", "San Francisco", "Potosí", "Madelena")),
    Localidad(20, "Sumapaz", 4, 4.1500, -74.2000, (1, 5), 0.0, (1, 5), 0.0,
              ("UPR Río Sumapaz", "UPR Río Blanco"),
              ("Nazareth", "Betania", "San Juan", "La Unión", "Las Ánimas", "Santo Domingo")),
)

N_LOCALIDADES = len(LOCALIDADES)
#: Population shares: the probability that a person-level row falls in each localidad.
POPULATION_SHARE: np.ndarray = np.array([loc.population_k for loc in LOCALIDADES], dtype=float)
POPULATION_SHARE = POPULATION_SHARE / POPULATION_SHARE.sum()
SUMAPAZ = 19  # index of the rural localidad, whose addresses are veredas, not a street grid

#: A rough socioeconomic profile: distribution of estratos 1..6 per localidad.
# fmt: off
ESTRATO_SHARE: np.ndarray = np.array([
    [0.02, 0.10, 0.25, 0.33, 0.20, 0.10],  # Usaquén
    [0.04, 0.08, 0.12, 0.21, 0.25, 0.30],  # Chapinero
    [0.15, 0.50, 0.30, 0.05, 0.00, 0.00],  # Santa Fe
    [0.30, 0.60, 0.10, 0.00, 0.00, 0.00],  # San Cristóbal
    [0.55, 0.43, 0.02, 0.00, 0.00, 0.00],  # Usme
    [0.05, 0.55, 0.40, 0.00, 0.00, 0.00],  # Tunjuelito
    [0.30, 0.68, 0.02, 0.00, 0.00, 0.00],  # Bosa
    [0.05, 0.60, 0.35, 0.00, 0.00, 0.00],  # Kennedy
    [0.00, 0.15, 0.55, 0.30, 0.00, 0.00],  # Fontibón
    [0.02, 0.35, 0.63, 0.00, 0.00, 0.00],  # Engativá
    [0.05, 0.40, 0.30, 0.15, 0.07, 0.03],  # Suba
    [0.00, 0.05, 0.70, 0.25, 0.00, 0.00],  # Barrios Unidos
    [0.00, 0.00, 0.25, 0.70, 0.05, 0.00],  # Teusaquillo
    [0.02, 0.30, 0.68, 0.00, 0.00, 0.00],  # Los Mártires
    [0.00, 0.25, 0.75, 0.00, 0.00, 0.00],  # Antonio Nariño
    [0.00, 0.10, 0.90, 0.00, 0.00, 0.00],  # Puente Aranda
    [0.05, 0.45, 0.45, 0.05, 0.00, 0.00],  # La Candelaria
    [0.20, 0.55, 0.25, 0.00, 0.00, 0.00],  # Rafael Uribe Uribe
    [0.60, 0.38, 0.02, 0.00, 0.00, 0.00],  # Ciudad Bolívar
    [1.00, 0.00, 0.00, 0.00, 0.00, 0.00],  # Sumapaz
])
# fmt: on

VEREDAS: tuple[str, ...] = (
    "Nazareth",
    "Betania",
    "Raizal",
    "Las Ánimas",
    "Santo Domingo",
    "La Unión",
    "San Juan",
    "Tunal Alto",
    "Los Andes",
    "El Destino",
    "Olarte",
    "Chiguaza",
)

#: Places people live that are not one of the 20 localidades (municipios of the Sabana).
FUERA_DE_BOGOTA: tuple[str, ...] = ("Soacha", "Chía", "Mosquera", "Funza", "Cota", "Madrid")


@dataclass(frozen=True)
class Station:
    """An RMCAB station: its name, localidad index, pollutants measured and typical PM2.5."""

    name: str
    localidad: int  # index into LOCALIDADES
    measures: frozenset[str]
    pm25_base: float  # µg/m3, typical daily mean


_ALL = frozenset({"pm25", "pm10", "o3", "no2", "co", "so2"})
RMCAB_STATIONS: tuple[Station, ...] = (
    Station("Usaquén", 0, frozenset({"pm25", "pm10", "o3"}), 12.0),
    Station("Suba", 10, frozenset({"pm25", "pm10", "o3", "no2", "co"}), 14.0),
    Station("Las Ferias", 9, frozenset({"pm25", "pm10", "o3", "no2", "co"}), 16.0),
    Station(
        "Centro de Alto Rendimiento", 11, frozenset({"pm25", "pm10", "o3", "no2", "so2"}), 13.0
    ),
    Station("Puente Aranda", 15, _ALL, 21.0),
    Station("Kennedy", 7, _ALL, 24.0),
    Station("Carvajal-Sevillana", 7, frozenset({"pm25", "pm10", "no2", "co", "so2"}), 30.0),
    Station("Tunal", 5, _ALL, 20.0),
    Station("San Cristóbal", 3, frozenset({"pm25", "pm10", "o3"}), 12.0),
    Station("Bolivia", 9, frozenset({"pm25", "pm10", "o3", "co"}), 14.0),
    Station("Guaymaral", 10, frozenset({"pm25", "pm10", "o3", "no2"}), 10.0),
    Station("Móvil 7ma", 1, frozenset({"pm25", "pm10", "no2", "co"}), 19.0),
    Station("Ciudad Bolívar", 18, frozenset({"pm25", "pm10", "o3", "no2", "co"}), 22.0),
    Station("Colina", 10, frozenset({"pm25", "pm10", "o3", "no2"}), 11.0),
    Station("Jazmín", 15, frozenset({"pm25", "pm10"}), 18.0),
    Station("Usme", 4, frozenset({"pm25", "pm10", "o3"}), 15.0),
    Station("Bosa", 6, frozenset({"pm25", "pm10", "o3", "no2"}), 23.0),
    Station("Fontibón", 8, frozenset({"pm25", "pm10", "no2", "co"}), 20.0),
    Station("MinAmbiente", 12, frozenset({"pm25", "pm10", "o3", "no2", "so2"}), 15.0),
    Station("Movil Fontibon", 8, frozenset({"pm25", "pm10"}), 21.0),
)
