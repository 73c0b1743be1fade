"""Write the malformed-geometry corpus (one JSON-lines file per family).

Run ``python tests/data/bad_geometry/generate.py`` after changing a family; the .jsonl
files are the test data and are committed. Each line is one case:

- ``id``: unique, ``description``: what is wrong, in a few words;
- the input, one of: ``geometry`` (a JSON value sent as the geometry), ``text`` (raw text
  sent as the geometry: broken JSON, WKT, HEXEWKB), or ``generate`` (built by the test:
  the 100,000-vertex polygon and the 5 MB body are too big to keep);
- ``position``: what a person would type as "LON,LAT" for the same mistake (forms and
  ``?contains=``), and ``bbox``: the mistake as a "west,south,east,north" box, where they
  make sense;
- ``bad_for``: "point" when the geometry is wrong only where a single place is asked for
  (a polygon for a priority), otherwise absent (wrong everywhere);
- ``scope``: "place" for well-formed input at a place nothing may be created (at sea, in a
  neighbouring municipality, on the boundary, swapped): lookups answer those with 200.
"""

import json
from pathlib import Path

HERE = Path(__file__).parent
LON, LAT = 14.385, 67.283  # Bodø sentrum
SQUARE = [[14.37, 67.27], [14.40, 67.27], [14.40, 67.29], [14.37, 67.29], [14.37, 67.27]]
GOOD_BBOX = "14.3,67.2,14.5,67.3"


def point(*coordinates):
    return {"type": "Point", "coordinates": list(coordinates)}


def polygon(*rings):
    return {"type": "Polygon", "coordinates": [list(r) for r in rings]}


def case(id, description, **fields):
    return {"id": id, "description": description, **fields}


families = {}

families["invalid_json"] = [
    case(
        "truncated-object",
        "JSON cut off mid-object",
        text='{"type": "Point", "coordinates": [14.385,',
    ),
    case(
        "truncated-array",
        "array never closed",
        text='{"type": "Point", "coordinates": [14.385, 67.283}',
    ),
    case(
        "trailing-comma",
        "trailing comma in an array",
        text='{"type": "Point", "coordinates": [14.385, 67.283,]}',
    ),
    case(
        "trailing-comma-object",
        "trailing comma in an object",
        text='{"type": "Point", "coordinates": [14.385, 67.283],}',
    ),
    case(
        "single-quotes",
        "single-quoted strings",
        text="{'type': 'Point', 'coordinates': [14.385, 67.283]}",
    ),
    case(
        "unquoted-keys",
        "JavaScript object literal",
        text="{type: 'Point', coordinates: [14.385, 67.283]}",
    ),
    case(
        "comment",
        "JavaScript comment inside",
        text='{"type": "Point", /* here */ "coordinates": [14.385, 67.283]}',
    ),
    case(
        "empty-text",
        "an empty string (refused where a geometry is required or the body is JSON)",
        text="",
        blank=True,
    ),
    case("whitespace", "only whitespace", text="   \n\t ", position="   ,  "),
    case("bare-number", "a number, not an object", text="42", position="42", bbox="42"),
    case("bare-string", "a JSON string", text='"Point"'),
    case(
        "bare-array",
        "a bare coordinate array",
        text="[14.385, 67.283]",
        position="[14.385, 67.283]",
        bbox="[14.3,67.2,14.5,67.3]",
    ),
    case(
        "bare-null",
        "JSON null (no geometry, where one is required)",
        text="null",
        position="null",
        bbox="null",
        bad_for="point",
    ),
    case("bare-true", "JSON true", text="true", position="true,false", bbox="true,true,true,true"),
    case(
        "hex-number",
        "hexadecimal numbers",
        text='{"type": "Point", "coordinates": [0xE, 0x43]}',
        position="0xE,0x43",
        bbox="0xE,0x43,0xF,0x44",
    ),
    case(
        "leading-plus",
        "numbers with a leading +",
        text='{"type": "Point", "coordinates": [+14.385, +67.283]}',
    ),
    case(
        "decimal-comma",
        "decimal commas (Norwegian typing)",
        text='{"type": "Point", "coordinates": [14,385, 67,283]}',
        position="14,385,67,283",
        bbox="14,3,67,2,14,5,67,3",
    ),
    case(
        "double-object",
        "two objects one after the other",
        text='{"type": "Point", "coordinates": [14.385, 67.283]}{"type": "Point"}',
    ),
    case(
        "xml",
        "GML instead of GeoJSON",
        text="<gml:Point><gml:pos>67.283 14.385</gml:pos></gml:Point>",
        position="<gml:pos>14.385 67.283</gml:pos>",
        bbox="<bbox/>",
    ),
    case(
        "kml",
        "KML instead of GeoJSON",
        text="<Placemark><Point><coordinates>14.385,67.283</coordinates></Point></Placemark>",
    ),
    case(
        "control-characters",
        "control characters in a string",
        text='{"type": "Po\x01int", "coordinates": [14.385, 67.283]}',
    ),
    case(
        "lone-surrogate",
        "an unpaired UTF-16 surrogate",
        text='{"type": "\\ud800", "coordinates": [14.385, 67.283]}',
    ),
    case(
        "semicolon-position",
        "semicolon between the numbers",
        text='{"type": "Point", "coordinates": [14.385; 67.283]}',
        position="14.385;67.283",
        bbox="14.3;67.2;14.5;67.3",
    ),
    case(
        "space-position",
        "space between the numbers",
        text="14.385 67.283",
        position="14.385 67.283",
        bbox="14.3 67.2 14.5 67.3",
    ),
    case(
        "degrees-minutes",
        "degrees and minutes as text",
        text='{"type": "Point", "coordinates": ["14°23\'", "67°17\'"]}',
        position="14°23'E,67°17'N",
        bbox="14°E,67°N,15°E,68°N",
    ),
]

families["wrong_type"] = [
    case(
        "polygon-for-point",
        "a Polygon where a point is asked for",
        geometry=polygon(SQUARE),
        bad_for="point",
    ),
    case(
        "linestring-for-point",
        "a LineString where a point is asked for",
        geometry={"type": "LineString", "coordinates": SQUARE[:2]},
        bad_for="point",
    ),
    case(
        "multipoint-for-point",
        "a MultiPoint where a point is asked for",
        geometry={"type": "MultiPoint", "coordinates": [[LON, LAT]]},
        bad_for="point",
    ),
    case(
        "multipolygon-for-point",
        "a MultiPolygon where a point is asked for",
        geometry={"type": "MultiPolygon", "coordinates": [[SQUARE]]},
        bad_for="point",
    ),
    case(
        "multilinestring-for-point",
        "a MultiLineString where a point is asked for",
        geometry={"type": "MultiLineString", "coordinates": [SQUARE[:2]]},
        bad_for="point",
    ),
    case(
        "lowercase-point",
        "type in lower case",
        geometry={"type": "point", "coordinates": [LON, LAT]},
    ),
    case(
        "uppercase-polygon",
        "type in upper case",
        geometry={"type": "POLYGON", "coordinates": [SQUARE]},
    ),
    case(
        "circle",
        "a Circle (not GeoJSON)",
        geometry={"type": "Circle", "coordinates": [LON, LAT], "radius": 100},
    ),
    case(
        "envelope",
        "an Envelope (not GeoJSON)",
        geometry={"type": "Envelope", "coordinates": [[14.37, 67.29], [14.40, 67.27]]},
    ),
    case(
        "box",
        "a Box (not GeoJSON)",
        geometry={"type": "Box", "coordinates": [14.37, 67.27, 14.40, 67.29]},
    ),
    case(
        "topology", "a TopoJSON Topology", geometry={"type": "Topology", "objects": {}, "arcs": []}
    ),
    case(
        "curve",
        "a CircularString (not GeoJSON)",
        geometry={"type": "CircularString", "coordinates": SQUARE[:3]},
    ),
    case("no-type", "coordinates without a type", geometry={"coordinates": [LON, LAT]}),
    case("type-number", "type is a number", geometry={"type": 1, "coordinates": [LON, LAT]}),
    case("type-null", "type is null", geometry={"type": None, "coordinates": [LON, LAT]}),
    case("type-list", "type is a list", geometry={"type": ["Point"], "coordinates": [LON, LAT]}),
    case(
        "feature-no-geometry",
        "a Feature whose geometry is null",
        geometry={"type": "Feature", "geometry": None, "properties": {}},
    ),
    case(
        "feature-in-feature",
        "a Feature inside a Feature",
        geometry={
            "type": "Feature",
            "geometry": {"type": "Feature", "geometry": point(LON, LAT)},
            "properties": {},
        },
    ),
    case("geometry-as-list", "a list of geometries", geometry=[point(LON, LAT)]),
    case("geometry-as-string", "the type name alone", geometry="Point"),
    case("geometry-as-number", "a number", geometry=7),
    case("geometry-as-bool", "a boolean", geometry=True),
    case(
        "coordinates-object",
        "coordinates as an object",
        geometry={"type": "Point", "coordinates": {"lon": LON, "lat": LAT}},
        position="lon=14.385,lat=67.283",
        bbox="west=14.3,south=67.2,east=14.5,north=67.3",
    ),
    case(
        "coordinates-string",
        "coordinates as one string",
        geometry={"type": "Point", "coordinates": "14.385,67.283"},
    ),
    case(
        "point-nested-too-deep",
        "a Point with a polygon's nesting",
        geometry={"type": "Point", "coordinates": [[[LON, LAT]]]},
    ),
    case(
        "polygon-nesting-too-shallow",
        "a Polygon without the ring level",
        geometry={"type": "Polygon", "coordinates": SQUARE},
    ),
]

nonfinite = []
for name, token, value in [
    ("nan", "NaN", "nan"),
    ("inf", "Infinity", "inf"),
    ("minus-inf", "-Infinity", "-inf"),
]:
    nonfinite += [
        case(
            f"{name}-lon",
            f"{token} as longitude",
            text=f'{{"type": "Point", "coordinates": [{token}, 67.283]}}',
            position=f"{value},67.283",
            bbox=f"{value},67.2,14.5,67.3",
        ),
        case(
            f"{name}-lat",
            f"{token} as latitude",
            text=f'{{"type": "Point", "coordinates": [14.385, {token}]}}',
            position=f"14.385,{value}",
            bbox=f"14.3,{value},14.5,67.3",
        ),
        case(
            f"{name}-in-ring",
            f"{token} in a polygon ring",
            text=f'{{"type": "Polygon", "coordinates": [[[14.37, 67.27], [{token}, 67.27], [14.40, 67.29], [14.37, 67.27]]]}}',
            bbox=f"14.3,67.2,{value},67.3",
        ),
        case(
            f"{name}-string",
            f'"{token}" as a string',
            geometry=point(token, LAT),
            position=f"{token},67.283",
            bbox=f"14.3,67.2,14.5,{token}",
        ),
    ]
nonfinite += [
    case(
        "overflow-lon",
        "1e999 (overflows to infinity)",
        text='{"type": "Point", "coordinates": [1e999, 67.283]}',
        position="1e999,67.283",
        bbox="-1e999,67.2,1e999,67.3",
    ),
    case(
        "overflow-lat",
        "-1e999 as latitude",
        text='{"type": "Point", "coordinates": [14.385, -1e999]}',
        position="14.385,-1e999",
        bbox="14.3,-1e999,14.5,67.3",
    ),
    case(
        "overflow-in-ring",
        "1e400 in a ring",
        text='{"type": "Polygon", "coordinates": [[[14.37, 67.27], [1e400, 67.27], [14.40, 67.29], [14.37, 67.27]]]}',
    ),
    case(
        "nan-lowercase",
        "nan in lower case",
        text='{"type": "Point", "coordinates": [nan, 67.283]}',
        position="NAN,67.283",
        bbox="NaN,NaN,NaN,NaN",
    ),
]
families["non_finite"] = nonfinite

families["dimensions"] = [
    case(
        "point-3d",
        "a height (3-D position)",
        geometry=point(LON, LAT, 12.0),
        position="14.385,67.283,12",
        bbox="14.3,67.2,0,14.5,67.3,100",
    ),
    case(
        "point-4d",
        "height and measure (4-D position)",
        geometry=point(LON, LAT, 12.0, 1.0),
        position="14.385,67.283,12,1",
        bbox="14.3,67.2,14.5,67.3,1,2,3,4",
    ),
    case("point-1d", "one number", geometry=point(LON), position="14.385", bbox="14.3,67.2,14.5"),
    case("point-0d", "no numbers", geometry=point(), position=",", bbox=",,,"),
    case(
        "point-5d",
        "five numbers",
        geometry=point(LON, LAT, 1, 2, 3),
        position="14.385,67.283,1,2,3",
        bbox="14.3,67.2,14.5,67.3,1",
    ),
    case(
        "polygon-3d", "a polygon with heights", geometry=polygon([[x, y, 5.0] for x, y in SQUARE])
    ),
    case(
        "polygon-4d",
        "a polygon with heights and measures",
        geometry=polygon([[x, y, 5.0, 0.0] for x, y in SQUARE]),
    ),
    case(
        "polygon-mixed-dimensions",
        "2-D and 3-D positions mixed",
        geometry=polygon([SQUARE[0] + [1.0], *SQUARE[1:]]),
    ),
    case(
        "polygon-1d-position",
        "a ring with a one-number position",
        geometry=polygon([SQUARE[0], [14.40], *SQUARE[2:]]),
    ),
    case(
        "linestring-3d",
        "a line with heights",
        geometry={"type": "LineString", "coordinates": [[14.37, 67.27, 1.0], [14.40, 67.29, 2.0]]},
        bad_for=None,
    ),
    case(
        "multipoint-3d",
        "a multipoint with heights",
        geometry={"type": "MultiPoint", "coordinates": [[LON, LAT, 1.0]]},
    ),
    case(
        "multipolygon-3d",
        "a multipolygon with heights",
        geometry={"type": "MultiPolygon", "coordinates": [[[[x, y, 0.0] for x, y in SQUARE]]]},
    ),
    case(
        "feature-point-3d",
        "a Feature with a 3-D point",
        geometry={"type": "Feature", "geometry": point(LON, LAT, 3.0), "properties": {}},
    ),
    case("point-empty-nested", "an empty array as a number", geometry=point([], LAT)),
    case(
        "point-nested-number",
        "a number wrapped in an array",
        geometry=point([LON], [LAT]),
        position="[14.385],[67.283]",
        bbox="[14.3],[67.2],[14.5],[67.3]",
    ),
]

families["rings"] = [
    case("unclosed", "ring not closed", geometry=polygon(SQUARE[:-1])),
    case(
        "unclosed-almost",
        "last position differs by 1e-9",
        geometry=polygon([*SQUARE[:-1], [14.37 + 1e-9, 67.27]]),
    ),
    case(
        "unclosed-hole",
        "hole not closed",
        geometry=polygon(
            SQUARE, [[14.38, 67.275], [14.39, 67.275], [14.39, 67.28], [14.38, 67.28]]
        ),
    ),
    case(
        "three-positions",
        "a closed ring of three positions (a line)",
        geometry=polygon([SQUARE[0], SQUARE[1], SQUARE[0]]),
    ),
    case("two-positions", "a ring of two positions", geometry=polygon(SQUARE[:2])),
    case("one-position", "a ring of one position", geometry=polygon(SQUARE[:1])),
    case("empty-ring", "an empty ring", geometry=polygon([])),
    case("empty-hole", "an empty hole", geometry=polygon(SQUARE, [])),
    case(
        "zero-area",
        "all positions on a line",
        geometry=polygon([[14.37, 67.27], [14.38, 67.28], [14.39, 67.29], [14.37, 67.27]]),
    ),
    case("repeated-point", "the same position four times", geometry=polygon([[LON, LAT]] * 4)),
    case(
        "hole-outside",
        "the hole lies outside the shell",
        geometry=polygon(
            SQUARE, [[14.41, 67.30], [14.42, 67.30], [14.42, 67.31], [14.41, 67.31], [14.41, 67.30]]
        ),
    ),
    case("hole-equals-shell", "the hole is the shell", geometry=polygon(SQUARE, SQUARE)),
    case(
        "hole-crosses-shell",
        "the hole crosses the shell",
        geometry=polygon(
            SQUARE,
            [[14.38, 67.28], [14.45, 67.28], [14.45, 67.285], [14.38, 67.285], [14.38, 67.28]],
        ),
    ),
    case(
        "nested-holes",
        "one hole inside another",
        geometry=polygon(
            SQUARE,
            [
                [14.375, 67.272],
                [14.395, 67.272],
                [14.395, 67.288],
                [14.375, 67.288],
                [14.375, 67.272],
            ],
            [[14.38, 67.275], [14.39, 67.275], [14.39, 67.28], [14.38, 67.28], [14.38, 67.275]],
        ),
    ),
    case(
        "ring-of-numbers",
        "a ring of numbers, not positions",
        geometry={"type": "Polygon", "coordinates": [[14.37, 67.27, 14.40, 67.29]]},
    ),
    case(
        "multipolygon-unclosed",
        "an unclosed ring in a MultiPolygon",
        geometry={"type": "MultiPolygon", "coordinates": [[SQUARE[:-1]]]},
    ),
    case(
        "multipolygon-short",
        "a two-position ring in a MultiPolygon",
        geometry={"type": "MultiPolygon", "coordinates": [[SQUARE[:2]]]},
    ),
    case(
        "linestring-one-position",
        "a line of one position",
        geometry={"type": "LineString", "coordinates": [[LON, LAT]]},
    ),
    case(
        "linestring-empty-position",
        "a line with an empty position",
        geometry={"type": "LineString", "coordinates": [[LON, LAT], []]},
    ),
    case(
        "linestring-same-position",
        "a line from a place to itself",
        geometry={"type": "LineString", "coordinates": [[LON, LAT], [LON, LAT]]},
    ),
]

BOWTIE = [[14.37, 67.27], [14.40, 67.29], [14.40, 67.27], [14.37, 67.29], [14.37, 67.27]]
families["self_intersecting"] = [
    case("bow-tie", "a bow-tie: two edges cross", geometry=polygon(BOWTIE)),
    case("bow-tie-reversed", "a bow-tie drawn the other way", geometry=polygon(BOWTIE[::-1])),
    case(
        "bow-tie-in-multipolygon",
        "a bow-tie inside a MultiPolygon",
        geometry={"type": "MultiPolygon", "coordinates": [[BOWTIE]]},
    ),
    case(
        "figure-eight",
        "a figure eight through one point",
        geometry=polygon(
            [
                [14.37, 67.27],
                [14.385, 67.28],
                [14.40, 67.27],
                [14.40, 67.29],
                [14.385, 67.28],
                [14.37, 67.29],
                [14.37, 67.27],
            ]
        ),
    ),
    case(
        "spike",
        "a spike going out and back",
        geometry=polygon(
            [
                [14.37, 67.27],
                [14.40, 67.27],
                [14.40, 67.29],
                [14.385, 67.29],
                [14.385, 67.31],
                [14.385, 67.29],
                [14.37, 67.29],
                [14.37, 67.27],
            ]
        ),
    ),
    case(
        "self-touching-ring",
        "the ring touches itself in a point",
        geometry=polygon(
            [
                [14.37, 67.27],
                [14.40, 67.27],
                [14.385, 67.28],
                [14.40, 67.29],
                [14.37, 67.29],
                [14.385, 67.28],
                [14.37, 67.27],
            ]
        ),
    ),
    case(
        "overlapping-parts",
        "two MultiPolygon parts overlap",
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                [SQUARE],
                [[[14.38, 67.28], [14.41, 67.28], [14.41, 67.30], [14.38, 67.30], [14.38, 67.28]]],
            ],
        },
    ),
    case(
        "duplicate-parts",
        "the same part twice",
        geometry={"type": "MultiPolygon", "coordinates": [[SQUARE], [SQUARE]]},
    ),
    case(
        "hole-touches-twice",
        "a hole cuts the polygon in two",
        geometry=polygon(
            SQUARE,
            [[14.37, 67.28], [14.40, 67.28], [14.40, 67.281], [14.37, 67.281], [14.37, 67.28]],
        ),
    ),
    case(
        "star-crossing",
        "a five-pointed star drawn in one stroke",
        geometry=polygon(
            [
                [14.385, 67.29],
                [14.375, 67.27],
                [14.40, 67.283],
                [14.37, 67.283],
                [14.395, 67.27],
                [14.385, 67.29],
            ]
        ),
    ),
    case(
        "zigzag-cross",
        "a zigzag ring crossing itself twice",
        geometry=polygon(
            [
                [14.37, 67.27],
                [14.40, 67.28],
                [14.37, 67.28],
                [14.40, 67.27],
                [14.40, 67.29],
                [14.37, 67.29],
                [14.37, 67.27],
            ]
        ),
    ),
    case(
        "collapsed-hole",
        "a hole of zero area",
        geometry=polygon(SQUARE, [[14.38, 67.28], [14.39, 67.28], [14.38, 67.28], [14.38, 67.28]]),
    ),
    case(
        "touching-parts-edge",
        "MultiPolygon parts sharing an edge",
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                [SQUARE],
                [[[14.40, 67.27], [14.42, 67.27], [14.42, 67.29], [14.40, 67.29], [14.40, 67.27]]],
            ],
        },
    ),
    case(
        "reversed-bow-tie-hole",
        "a bow-tie as a hole",
        geometry=polygon(
            SQUARE,
            [[14.38, 67.275], [14.39, 67.285], [14.39, 67.275], [14.38, 67.285], [14.38, 67.275]],
        ),
    ),
]

families["empty"] = [
    case("point-empty", "Point with no coordinates", geometry=point()),
    case(
        "point-null",
        "Point with null coordinates",
        geometry={"type": "Point", "coordinates": None},
        position="null,null",
        bbox="null,null,null,null",
    ),
    case("point-no-coordinates", "Point without a coordinates member", geometry={"type": "Point"}),
    case("polygon-empty", "Polygon with no rings", geometry=polygon()),
    case(
        "multipolygon-empty",
        "MultiPolygon with no parts",
        geometry={"type": "MultiPolygon", "coordinates": []},
    ),
    case(
        "multipolygon-empty-part",
        "MultiPolygon with an empty part",
        geometry={"type": "MultiPolygon", "coordinates": [[]]},
    ),
    case(
        "linestring-empty",
        "LineString with no positions",
        geometry={"type": "LineString", "coordinates": []},
    ),
    case(
        "multipoint-empty",
        "MultiPoint with no points",
        geometry={"type": "MultiPoint", "coordinates": []},
    ),
    case(
        "multilinestring-empty",
        "MultiLineString with no lines",
        geometry={"type": "MultiLineString", "coordinates": []},
    ),
    case("empty-object", "an empty object", geometry={}, position="{}", bbox="{}"),
    case("empty-array", "an empty array", geometry=[], position="[]", bbox="[]"),
    case(
        "feature-collection-empty",
        "a FeatureCollection of no features",
        geometry={"type": "FeatureCollection", "features": []},
    ),
    case(
        "feature-empty-geometry",
        "a Feature whose geometry is empty",
        geometry={
            "type": "Feature",
            "geometry": {"type": "Polygon", "coordinates": []},
            "properties": {},
        },
    ),
    case(
        "empty-string-coordinates",
        "coordinates as an empty string",
        geometry={"type": "Point", "coordinates": ""},
        position=",67.283",
        bbox="14.3,,14.5,67.3",
    ),
]

families["collections"] = [
    case(
        "collection-of-point",
        "a GeometryCollection with one point",
        geometry={"type": "GeometryCollection", "geometries": [point(LON, LAT)]},
    ),
    case(
        "collection-of-polygon",
        "a GeometryCollection with one polygon",
        geometry={"type": "GeometryCollection", "geometries": [polygon(SQUARE)]},
    ),
    case(
        "collection-mixed",
        "a GeometryCollection of a point and a polygon",
        geometry={"type": "GeometryCollection", "geometries": [point(LON, LAT), polygon(SQUARE)]},
    ),
    case(
        "collection-empty",
        "an empty GeometryCollection",
        geometry={"type": "GeometryCollection", "geometries": []},
    ),
    case(
        "collection-nested",
        "a GeometryCollection inside a GeometryCollection",
        geometry={
            "type": "GeometryCollection",
            "geometries": [{"type": "GeometryCollection", "geometries": [point(LON, LAT)]}],
        },
    ),
    case(
        "collection-with-coordinates",
        "a GeometryCollection with coordinates",
        geometry={"type": "GeometryCollection", "coordinates": [LON, LAT]},
    ),
    case(
        "feature-with-collection",
        "a Feature whose geometry is a GeometryCollection",
        geometry={
            "type": "Feature",
            "geometry": {"type": "GeometryCollection", "geometries": [polygon(SQUARE)]},
            "properties": {},
        },
    ),
    case(
        "feature-collection-two",
        "a FeatureCollection of two features",
        geometry={
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": polygon(SQUARE), "properties": {}},
                {"type": "Feature", "geometry": point(LON, LAT), "properties": {}},
            ],
        },
    ),
    case(
        "feature-collection-no-features",
        "a FeatureCollection without features",
        geometry={"type": "FeatureCollection"},
    ),
    case(
        "feature-collection-features-object",
        "features is an object",
        geometry={"type": "FeatureCollection", "features": {"a": 1}},
    ),
    case(
        "feature-collection-of-geometries",
        "a FeatureCollection of bare geometries",
        geometry={"type": "FeatureCollection", "features": [polygon(SQUARE)]},
    ),
    case(
        "collection-of-bad",
        "a GeometryCollection with a bow-tie",
        geometry={"type": "GeometryCollection", "geometries": [polygon(BOWTIE)]},
    ),
]

families["swapped"] = [
    case(
        "point-swapped",
        "latitude first",
        geometry=point(LAT, LON),
        position="67.283,14.385",
        scope="place",
    ),
    case(
        "point-swapped-harbour",
        "latitude first, Bodø harbour",
        geometry=point(67.288, 14.378),
        position="67.288,14.378",
        scope="place",
    ),
    case(
        "point-swapped-misvaer",
        "latitude first, Misvær",
        geometry=point(67.117, 15.0),
        position="67.117,15.0",
        scope="place",
    ),
    case(
        "point-swapped-saltstraumen",
        "latitude first, Saltstraumen",
        geometry=point(67.234, 14.62),
        position="67.234,14.62",
        scope="place",
    ),
    case(
        "polygon-swapped",
        "a polygon with latitude first",
        geometry=polygon([[y, x] for x, y in SQUARE]),
        scope="place",
    ),
    case(
        "multipolygon-swapped",
        "a multipolygon with latitude first",
        geometry={"type": "MultiPolygon", "coordinates": [[[[y, x] for x, y in SQUARE]]]},
        scope="place",
    ),
    case(
        "linestring-swapped",
        "a line with latitude first",
        geometry={"type": "LineString", "coordinates": [[67.27, 14.37], [67.29, 14.40]]},
        scope="place",
    ),
    case(
        "point-swapped-feature",
        "a Feature with latitude first",
        geometry={"type": "Feature", "geometry": point(LAT, LON), "properties": {}},
        scope="place",
    ),
    case(
        "bbox-swapped",
        "a box with latitude first",
        geometry=point(LAT, LON),
        bbox="67.2,14.3,67.3,14.5",
        scope="place",
    ),
    case(
        "point-lat-out-of-range",
        "latitude first, longitude too big for a latitude",
        geometry=point(67.283, 94.385),
        position="67.283,94.385",
        bbox="67.2,94.3,67.3,94.5",
    ),
]

families["foreign_srid"] = [
    case(
        "ewkt-25833",
        "EWKT in UTM 33N",
        text="SRID=25833;POINT(474000 7464000)",
        position="SRID=25833;POINT(474000 7464000)",
        bbox="SRID=25833;474000,7460000,476000,7466000",
    ),
    case(
        "ewkt-25832",
        "EWKT in UTM 32N",
        text="SRID=25832;POINT(740000 7470000)",
        position="SRID=25832;740000,7470000",
    ),
    case("ewkt-25835", "EWKT in UTM 35N", text="SRID=25835;POINT(240000 7480000)"),
    case(
        "ewkt-3857",
        "EWKT in Web Mercator",
        text="SRID=3857;POINT(1601306 10378000)",
        position="1601306,10378000",
        bbox="1590000,10370000,1610000,10390000",
    ),
    case("ewkt-4258", "EWKT in ETRS89", text="SRID=4258;POINT(14.385 67.283)"),
    case(
        "ewkt-4326",
        "EWKT even in WGS 84",
        text="SRID=4326;POINT(14.385 67.283)",
        position="SRID=4326;14.385,67.283",
    ),
    case(
        "ewkt-polygon-25833",
        "EWKT polygon in UTM 33N",
        text="SRID=25833;POLYGON((473000 7463000,475000 7463000,475000 7465000,473000 7465000,473000 7463000))",
    ),
    case(
        "wkt-point",
        "plain WKT",
        text="POINT(14.385 67.283)",
        position="POINT(14.385 67.283)",
        bbox="POLYGON((14.3 67.2,14.5 67.2,14.5 67.3,14.3 67.2))",
    ),
    case(
        "wkt-polygon",
        "plain WKT polygon",
        text="POLYGON((14.37 67.27,14.40 67.27,14.40 67.29,14.37 67.29,14.37 67.27))",
    ),
    case(
        "hexewkb-25833",
        "HEXEWKB point in UTM 33N",
        text="0101000020E96300000000000010EE1C4100000000C0785C41",
        position="0101000020E96300000000000010EE1C4100000000C0785C41",
        bbox="0101000020E96300000000000010EE1C4100000000C0785C41",
    ),
    case(
        "hexewkb-3857",
        "HEXEWKB point in Web Mercator",
        text="0101000020110F000000000000A26E384100000080BCCB6341",
    ),
    case("hexwkb-4326", "HEX WKB without SRID", text="01010000009A99999999C52C40F2D24D6210D25040"),
    case(
        "hexewkb-as-geometry-string",
        "HEXEWKB inside a JSON string",
        geometry="0101000020E96300000000000010EE1C4100000000C0785C41",
    ),
    case(
        "ewkt-as-geometry-string",
        "EWKT inside a JSON string",
        geometry="SRID=25833;POINT(474000 7464000)",
    ),
    case(
        "utm-coordinates",
        "UTM metres in GeoJSON",
        geometry=point(474000, 7464000),
        position="474000,7464000",
        bbox="473000,7463000,475000,7465000",
    ),
    case(
        "utm-polygon",
        "a polygon in UTM metres",
        geometry=polygon(
            [
                [473000, 7463000],
                [475000, 7463000],
                [475000, 7465000],
                [473000, 7465000],
                [473000, 7463000],
            ]
        ),
    ),
    case(
        "mercator-coordinates",
        "Web Mercator metres in GeoJSON",
        geometry=point(1601306, 10378000),
        position="1601306.1,10378000.5",
    ),
    case(
        "srid-member",
        "an 'srid' member",
        geometry={"type": "Point", "coordinates": [474000, 7464000], "srid": 25833},
    ),
    case(
        "epsg-in-bbox-string",
        "an EPSG code appended",
        position="14.385,67.283,EPSG:4326",
        bbox="14.3,67.2,14.5,67.3,EPSG:4326",
    ),
    case(
        "dms-text",
        "degrees, minutes, seconds",
        text="67°16'59\"N 14°23'06\"E",
        position="67°16'59\"N,14°23'06\"E",
    ),
]

CRS_NAMES = [
    ("epsg-25833", {"type": "name", "properties": {"name": "EPSG:25833"}}),
    ("urn-25833", {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::25833"}}),
    ("crs84", {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}),
    ("epsg-4326", {"type": "name", "properties": {"name": "EPSG:4326"}}),
    (
        "linked",
        {
            "type": "link",
            "properties": {
                "href": "http://spatialreference.org/ref/epsg/25833/proj4/",
                "type": "proj4",
            },
        },
    ),
    ("null", None),
]
families["legacy_crs"] = (
    [
        case(
            f"crs-{name}-point",
            f"a 'crs' member ({name}) on a point",
            geometry={"type": "Point", "coordinates": [LON, LAT], "crs": crs},
        )
        for name, crs in CRS_NAMES
    ]
    + [
        case(
            f"crs-{name}-feature-collection",
            f"a 'crs' member ({name}) on a FeatureCollection",
            geometry={
                "type": "FeatureCollection",
                "crs": crs,
                "features": [{"type": "Feature", "geometry": polygon(SQUARE), "properties": {}}],
            },
        )
        for name, crs in CRS_NAMES
    ]
    + [
        case(
            "crs-feature",
            "a 'crs' member on a Feature",
            geometry={
                "type": "Feature",
                "crs": CRS_NAMES[0][1],
                "geometry": point(LON, LAT),
                "properties": {},
            },
        ),
        case(
            "crs-utm-polygon",
            "a UTM polygon with its 'crs'",
            geometry={
                "type": "Polygon",
                "crs": CRS_NAMES[0][1],
                "coordinates": [
                    [
                        [473000, 7463000],
                        [475000, 7463000],
                        [475000, 7465000],
                        [473000, 7465000],
                        [473000, 7463000],
                    ]
                ],
            },
        ),
    ]
)

families["bad_values"] = [
    case(
        "lon-181",
        "longitude 181",
        geometry=point(181, LAT),
        position="181,67.283",
        bbox="14.3,67.2,181,67.3",
    ),
    case(
        "lon-minus-181",
        "longitude -181",
        geometry=point(-181, LAT),
        position="-181,67.283",
        bbox="-181,67.2,14.5,67.3",
    ),
    case(
        "lat-91",
        "latitude 91",
        geometry=point(LON, 91),
        position="14.385,91",
        bbox="14.3,67.2,14.5,91",
    ),
    case(
        "lat-minus-90-point-1",
        "latitude -90.1",
        geometry=point(LON, -90.1),
        position="14.385,-90.1",
        bbox="14.3,-90.1,14.5,67.3",
    ),
    case(
        "huge-number",
        "1e308",
        geometry=point(1e308, LAT),
        position="1e308,67.283",
        bbox="14.3,67.2,1e308,67.3",
    ),
    case("lon-string", "longitude as a string", geometry=point("14.385", LAT)),
    case(
        "lat-bool",
        "latitude as a boolean",
        geometry=point(LON, True),
        position="14.385,true",
        bbox="14.3,true,14.5,67.3",
    ),
    case(
        "lon-null",
        "longitude null",
        geometry=point(None, LAT),
        position="null,67.283",
        bbox="null,67.2,14.5,67.3",
    ),
    case("lon-object", "longitude as an object", geometry=point({"value": LON}, LAT)),
    case(
        "ring-strings", "a ring of strings", geometry=polygon([[str(x), str(y)] for x, y in SQUARE])
    ),
    case(
        "ring-nulls",
        "a ring with a null position",
        geometry=polygon([SQUARE[0], None, *SQUARE[2:]]),
    ),
    case(
        "ring-out-of-range",
        "a ring reaching latitude 95",
        geometry=polygon([[14.37, 67.27], [14.40, 95.0], [14.40, 67.29], [14.37, 67.27]]),
    ),
    case("bbox-west-east", "west greater than east", bbox="14.5,67.2,14.3,67.3"),
    case("bbox-south-north", "south greater than north", bbox="14.3,67.3,14.5,67.2"),
    case("bbox-zero-size", "a box of no size", bbox="14.3,67.2,14.3,67.2"),
    case("bbox-three-numbers", "three numbers", bbox="14.3,67.2,14.5"),
    case("bbox-five-numbers", "five numbers", bbox="14.3,67.2,14.5,67.3,1"),
    case("bbox-words", "words", position="Bodø", bbox="Bodø sentrum"),
    case(
        "bbox-sql",
        "SQL in the parameter",
        position="14.385,67.283);DROP TABLE priorities_priority;--",
        bbox="14.3,67.2,14.5,67.3);DELETE FROM priorities_priority;--",
    ),
    case(
        "negative-zero-ok-but-letters",
        "numbers with units",
        position="14.385E,67.283N",
        bbox="14.3E,67.2N,14.5E,67.3N",
    ),
    case(
        "underscore-number",
        "numbers with underscores (Python syntax)",
        position="14_385,67_283",
        bbox="1_4,67,15,6_8",
    ),
]

# Points at sea, in neighbouring municipalities outside Nabolaget, and on Bodø's boundary
# (vertices of the boundary in fixtures/demo/bodo-1804.geojson).
families["places"] = [
    case(
        "sea-vestfjorden",
        "at sea in Vestfjorden",
        geometry=point(13.5, 67.1),
        position="13.5,67.1",
        scope="place",
    ),
    case(
        "sea-west-of-bodo",
        "at sea west of Bodø",
        geometry=point(14.0, 67.35),
        position="14.0,67.35",
        scope="place",
    ),
    case(
        "sea-norwegian-sea",
        "far out in the Norwegian Sea",
        geometry=point(10.0, 66.0),
        position="10.0,66.0",
        scope="place",
    ),
    case(
        "sea-north-sea",
        "in the North Sea",
        geometry=point(3.0, 60.0),
        position="3.0,60.0",
        scope="place",
    ),
    case(
        "sea-atlantic", "in the Atlantic", geometry=point(-30, 50), position="-30,50", scope="place"
    ),
    case("null-island", "0,0 (Null Island)", geometry=point(0, 0), position="0,0", scope="place"),
    case(
        "sea-polygon",
        "a polygon at sea",
        geometry=polygon([[13.4, 67.0], [13.6, 67.0], [13.6, 67.2], [13.4, 67.2], [13.4, 67.0]]),
        scope="place",
    ),
    case(
        "fauske",
        "in Fauske, a neighbour",
        geometry=point(15.87388, 67.23528),
        position="15.87388,67.23528",
        scope="place",
    ),
    case(
        "gildeskal",
        "in Gildeskål, a neighbour",
        geometry=point(14.13295, 66.92563),
        position="14.13295,66.92563",
        scope="place",
    ),
    case(
        "saltdal",
        "in Saltdal, a neighbour",
        geometry=point(15.49287, 66.88118),
        position="15.49287,66.88118",
        scope="place",
    ),
    case(
        "steigen",
        "in Steigen, a neighbour",
        geometry=point(15.07419, 67.81238),
        position="15.07419,67.81238",
        scope="place",
    ),
    case("oslo", "in Oslo", geometry=point(10.75, 59.91), position="10.75,59.91", scope="place"),
    case(
        "fauske-polygon",
        "a polygon in Fauske",
        geometry=polygon(
            [[15.85, 67.22], [15.90, 67.22], [15.90, 67.25], [15.85, 67.25], [15.85, 67.22]]
        ),
        scope="place",
    ),
    case(
        "boundary-vertex-1",
        "on Bodø's boundary (a vertex)",
        geometry=point(15.050309233329953, 67.32186707247168),
        position="15.050309233329953,67.32186707247168",
        scope="place",
    ),
    case(
        "boundary-vertex-2",
        "on Bodø's boundary (a vertex)",
        geometry=point(14.780580040906724, 67.52561774179036),
        position="14.780580040906724,67.52561774179036",
        scope="place",
    ),
    case(
        "boundary-vertex-3",
        "on Bodø's boundary (a vertex)",
        geometry=point(14.86010289351809, 67.4362090697391),
        position="14.86010289351809,67.4362090697391",
        scope="place",
    ),
    case(
        "boundary-vertex-4",
        "on Bodø's boundary (a vertex)",
        geometry=point(14.570652510471891, 67.35994717579719),
        position="14.570652510471891,67.35994717579719",
        scope="place",
    ),
    case(
        "boundary-island-vertex",
        "on the boundary of an island of Bodø",
        geometry=point(13.826092468584115, 67.39290670401489),
        position="13.826092468584115,67.39290670401489",
        scope="place",
    ),
]

# Well-formed GeoJSON that is valid in longitude/latitude but absurd as a place in Bodø:
# invalid once in UTM, reaching the pole, or crossing far beyond the boundary (each used to
# be taken, since "in the municipality" was checked as touching it).
families["absurd"] = [
    case(
        "world-polygon",
        "the whole world (invalid in UTM: too few points)",
        geometry=polygon([[-180, -90], [180, -90], [180, 90], [-180, 90], [-180, -90]]),
    ),
    case(
        "north-89-9",
        "a polygon from Bodø sentrum to latitude 89.9",
        geometry=polygon(
            [[14.37, 67.27], [14.40, 67.27], [14.40, 89.9], [14.37, 89.9], [14.37, 67.27]]
        ),
    ),
    case(
        "bodo-oslo-box",
        "a box from Bodø to Oslo (165,748 km²)",
        geometry=polygon(
            [[10.75, 59.91], [14.385, 59.91], [14.385, 67.283], [10.75, 67.283], [10.75, 59.91]]
        ),
    ),
    case(
        "bodo-rana-line",
        "a line from Bodø sentrum into Rana",
        geometry={"type": "LineString", "coordinates": [[LON, LAT], [14.14, 66.31]]},
    ),
    case(
        "bodo-gildeskal-line",
        "a line from Bodø sentrum 28 km beyond the boundary, inside Bodø's bounding box",
        geometry={"type": "LineString", "coordinates": [[LON, LAT], [13.97, 66.94]]},
    ),
    case(
        "bodo-and-oslo-parts",
        "a MultiPolygon with one part in Bodø and one in Oslo",
        geometry={
            "type": "MultiPolygon",
            "coordinates": [
                [SQUARE],
                [[[10.74, 59.90], [10.76, 59.90], [10.76, 59.92], [10.74, 59.92], [10.74, 59.90]]],
            ],
        },
    ),
    case(
        "antimeridian-ring",
        "a ring round the world along the parallel of Bodø",
        geometry=polygon([[-180, 67.2], [180, 67.2], [180, 67.3], [-180, 67.3], [-180, 67.2]]),
    ),
]

families["huge"] = [
    case(
        "polygon-100000-vertices",
        "a polygon of 100,000 vertices",
        generate="polygon_vertices",
        n=100_000,
    ),
    case("body-5mb", "a 5 MB body", generate="padded_body", bytes=5_300_000),
    case("nesting-100000", "arrays nested 100,000 deep", generate="nesting", n=100_000),
    case(
        "nesting-5000",
        "coordinates nested 5,000 deep",
        text='{"type": "Point", "coordinates": ' + "[" * 5000 + "]" * 5000 + "}",
    ),
    case(
        "nesting-900",
        "coordinates nested 900 deep",
        text='{"type": "Polygon", "coordinates": ' + "[" * 900 + "]" * 900 + "}",
    ),
    case("multipoint-50000", "a MultiPoint of 50,000 points", generate="multipoint", n=50_000),
    case(
        "long-position",
        "a 10,000-digit number",
        text='{"type": "Point", "coordinates": [1' + "0" * 10_000 + ", 67.2]}",
        position="1" + "0" * 10_000 + ",67.2",
        bbox="1" + "0" * 10_000 + ",67.2,14.5,67.3",
    ),
    case("long-type", "a 1 MB type name", generate="long_type", bytes=1_000_000),
    case(
        "integer-400-digits",
        "a longitude written as an integer of 400 digits (no float holds it)",
        text='{"type": "Point", "coordinates": [1' + "0" * 400 + ", 67.2]}",
        position="1" + "0" * 400 + ",67.2",
        bbox="1" + "0" * 400 + ",67.2,14.5,67.3",
    ),
    case(
        "integer-400-digits-ring",
        "a ring with a latitude of 400 digits",
        text='{"type": "Polygon", "coordinates": [[[14.37, 67.27], [14.40, 1'
        + "0" * 400
        + "], [14.40, 67.29], [14.37, 67.27]]]}",
    ),
]

if __name__ == "__main__":
    total = 0
    for family, cases in families.items():
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids)), family
        with (HERE / f"{family}.jsonl").open("w", encoding="utf-8") as out:
            for c in cases:
                c = {k: v for k, v in c.items() if v is not None}
                out.write(json.dumps({"family": family, **c}, ensure_ascii=False) + "\n")
        total += len(cases)
    print(f"{total} cases in {len(families)} families")
