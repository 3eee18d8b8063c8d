"""A small gazetteer of common Colombian given names and surnames (lower case, no accents).

Why shipped and not Faker: classification runs in the pipeline, and a few hundred words are
enough to tell ``María Fernanda Rodríguez Gómez`` from ``Colegio Distrital La Candelaria``. The
words are the most frequent ones of the Colombian name lists Faker's ``es_CO`` provider carries
(themselves drawn from the national registry's frequencies): the top 100 female and 100 male given
names and the top 200 surnames.
"""

from __future__ import annotations

_GIVEN = """
    maria luz patricia ana andrea diana sandra martha paola carmen marcela isabel milena lucia
    cecilia claudia carolina gloria rosa liliana elena alejandra adriana laura fernanda marina
    ines lorena angela cristina leidy daniela olga esther tatiana johana rocio beatriz lina
    monica alba luisa esperanza yaneth blanca amparo alexandra nancy margarita elizabeth stella
    karen angie viviana natalia mercedes eugenia valentina yolanda angelica paula camila teresa
    sofia vanessa nelly mary gladys ruth flor nubia johanna erika doris judith dayana sonia
    maritza edith clara consuelo julieth juliana dora victoria aura eliana astrid alicia
    katherine janeth leonor myriam lizeth mery nidia jenny kelly constanza ximena jose andres
    luis carlos juan alberto david antonio fernando jorge jesus alexander enrique javier manuel
    eduardo jhon diego camilo alejandro oscar daniel miguel felipe jairo mauricio cesar alfonso
    rafael cristian sebastian angel ivan jaime julio julian fabian dario william orlando
    francisco ricardo mario edwin john victor leonardo armando augusto pablo alvaro hernan fredy
    pedro hector santiago edgar gustavo hernando guillermo esteban humberto nelson wilson arturo
    gabriel alfredo omar german henry fabio alonso brayan hugo sergio alexis adolfo stiven kevin
    johan yesid ernesto raul rodrigo roberto ruben anderson eliecer nicolas ferney steven emilio
    yeison arley nestor albeiro wilmer gerardo jair jonathan
"""

_SURNAMES = """
    rodriguez gomez martinez garcia lopez gonzalez hernandez sanchez perez diaz ramirez rojas
    torres moreno vargas munoz ortiz castro gutierrez jimenez suarez alvarez ruiz valencia
    quintero herrera romero mosquera morales arias rivera florez giraldo medina castillo parra
    pena guerrero salazar osorio mejia mendoza marin cardona cardenas cruz restrepo correa
    ortega acosta ramos reyes rincon zapata sierra mora palacios molina delgado guzman silva
    contreras lozano montoya rios vasquez caicedo cortes velasquez londono ospina jaramillo
    cordoba escobar murillo orozco fernandez vega hurtado carvajal agudelo calderon leon avila
    garzon beltran trujillo pineda mendez barrera acevedo henao bedoya franco jaimes bernal
    arango hoyos navarro duran vergara soto camacho sandoval gil buitrago duarte carrillo duque
    pacheco barrios aguirre velez benavides bermudez narvaez rueda toro blanco amaya forero
    becerra pinzon camargo vanegas bonilla padilla ariza ardila galvis daza mena villamizar
    sarmiento cano zambrano espinosa gallego tovar uribe ochoa castellanos cabrera castaneda
    solano fuentes perdomo guevara castano patino ocampo paez serna mesa angulo mercado alzate
    rosero bautista vera meneses arenas cifuentes arevalo montes arrieta guerra aguilar ayala
    figueroa fonseca pinto bravo luna nino salcedo serrano roa palacio perea velasco villa
    sepulveda benitez meza sanabria miranda gaitan melo marquez ordonez zuluaga andrade estrada
    prieto alvarado leal gaviria salas polo
"""

GIVEN_NAMES: frozenset[str] = frozenset(_GIVEN.split())
SURNAMES: frozenset[str] = frozenset(_SURNAMES.split())
