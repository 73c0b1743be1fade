"""Write the demo's illustrative Bodø budget: made up by the project, NOT Bodø's budget.

    .venv/bin/python scripts/make_demo_budget.py

Writes, in ``fixtures/demo/``:

- ``bodo-budsjett-2027-forslag.csv`` and ``.xlsx``: the administration's proposal, the same
  lines in both formats (UTF-8 CSV with ``;``, amounts as Norwegians write them);
- ``bodo-budsjett-2027-innstilling.csv``: the executive board's recommendation, the
  proposal with a few changes.

The figures are derived deterministically from the base amounts below (no randomness), so
running the script again gives the same files (the XLSX's timestamps are fixed too). The
sectors and KOSTRA functions are the ones Norwegian municipalities use; the amounts are of
a plausible size for a municipality of about 53,000 residents, and nothing more. Lines with
an area name one of the demo's illustrative school districts or hamlets by its code.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook

FOLDER = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
FIRST_YEAR = 2027
YEARS = [FIRST_YEAR - 1, *range(FIRST_YEAR, FIRST_YEAR + 4)]
NOTE = (
    "ILLUSTRATIVT DEMOBUDSJETT laget av Nabolaget-prosjektet. Tallene er oppdiktet og er "
    "IKKE Bodø kommunes budsjett."
)
HEADER = ["Sektor", "KOSTRA", "Linje", "Art", *map(str, YEARS), "Område"]

SCHOOLS = [
    ("Bodø sentrum skole", "1804-SK01", 61),
    ("Rønvik skole", "1804-SK02", 54),
    ("Hunstad skole", "1804-SK03", 58),
    ("Mørkved skole", "1804-SK04", 49),
    ("Løding skole", "1804-SK05", 33),
    ("Saltstraumen skole", "1804-SK06", 21),
    ("Skjerstad skole", "1804-SK07", 12),
    ("Misvær skole", "1804-SK08", 14),
    ("Kjerringøy skole", "1804-SK09", 9),
]
KINDERGARTENS = [
    ("Kommunale barnehager sentrum og Rønvik", "1804-G01", 88),
    ("Kommunale barnehager Hunstad og Mørkved", "1804-G02", 76),
    ("Kommunale barnehager Tverlandet", "1804-G03", 31),
    ("Saltstraumen barnehage", "1804-G04", 14),
    ("Misvær barnehage", "1804-G06", 8),
    ("Kjerringøy barnehage", "1804-G07", 6),
]
NURSING_HOMES = [
    ("Sykehjem i sentrum og Rønvik", "1804-G01", 182),
    ("Sykehjem på Hunstad og Mørkved", "1804-G02", 121),
    ("Tverlandet bo- og servicesenter", "1804-G03", 58),
    ("Misvær sykehjem", "1804-G06", 27),
]
YOUTH_CLUBS = [
    ("Fritidsklubb sentrum", "1804-G01", 4.2),
    ("Fritidsklubb Hunstad", "1804-G02", 3.1),
    ("Fritidsklubb Tverlandet", "1804-G03", 1.6),
]

# (sector, KOSTRA, line, kind, 2027 in millions, yearly change in per cent, area code)
LINES: list[tuple[str, str, str, str, float, float, str]] = []


def add(sector, kostra, line, millions, change=1.0, kind="", area=""):
    LINES.append((sector, kostra, line, kind, millions, change, area))


OPPVEKST = "Oppvekst og utdanning"
for name, code, millions in SCHOOLS:
    add(OPPVEKST, "202", name, millions, 0.8, area=code)
add(OPPVEKST, "202", "Spesialundervisning i grunnskolen", 96, 2.5)
add(OPPVEKST, "202", "Pedagogisk-psykologisk tjeneste (PPT)", 24, 1.0)
add(OPPVEKST, "213", "Voksenopplæring", 38, -2.0)
add(OPPVEKST, "215", "Skolefritidsordning (SFO)", 52, 1.0)
add(OPPVEKST, "215", "Foreldrebetaling SFO", -21, 0.0, kind="inntekt")
add(OPPVEKST, "223", "Skoleskyss", 17, 1.5)
for name, code, millions in KINDERGARTENS:
    add(OPPVEKST, "201", name, millions, 1.0, area=code)
add(OPPVEKST, "201", "Tilskudd til private barnehager", 310, 1.2)
add(OPPVEKST, "201", "Foreldrebetaling barnehage", -64, 0.0, kind="inntekt")
add(OPPVEKST, "211", "Styrket tilbud til førskolebarn", 41, 2.0)

HELSE = "Helse og omsorg"
for name, code, millions in NURSING_HOMES:
    add(HELSE, "253", name, millions, 2.0, area=code)
add(HELSE, "253", "Brukerbetaling sykehjem", -58, 1.0, kind="inntekt")
add(HELSE, "254", "Hjemmesykepleie", 198, 3.0)
add(HELSE, "254", "Praktisk bistand og brukerstyrt personlig assistanse", 142, 3.5)
add(HELSE, "254", "Bofellesskap for personer med utviklingshemming", 176, 2.5)
add(HELSE, "234", "Dagsenter og aktivitetstilbud for eldre", 19, 1.0)
add(HELSE, "241", "Legevakt og fastlegeordning", 88, 2.0)
add(HELSE, "232", "Helsestasjon og skolehelsetjeneste", 46, 1.5)
add(HELSE, "243", "Psykisk helse og rus", 84, 2.0)
add(HELSE, "233", "Frisklivssentral og forebygging", 8, 0.0)
add(HELSE, "256", "Akutthjelp og korttidsplasser", 37, 1.0)
add(HELSE, "261", "Institusjonslokaler, husleie", 44, 1.0)
add(HELSE, "254", "Velferdsteknologi", 12, 6.0)
add(HELSE, "241", "Refusjon ressurskrevende tjenester", -96, 1.0, kind="inntekt")

SOSIAL = "Sosial, barnevern og NAV"
add(SOSIAL, "281", "Økonomisk sosialhjelp", 92, 1.0)
add(SOSIAL, "276", "Kvalifiseringsprogrammet", 21, 0.0)
add(SOSIAL, "273", "Arbeidsrettede tiltak", 14, 0.0)
add(SOSIAL, "275", "Introduksjonsordningen for flyktninger", 58, -4.0)
add(SOSIAL, "275", "Integreringstilskudd fra staten", -71, -4.0, kind="inntekt")
add(SOSIAL, "244", "Barneverntjenesten", 48, 1.5)
add(SOSIAL, "251", "Barnevern, tiltak i familien", 36, 1.5)
add(SOSIAL, "252", "Barnevern, tiltak utenfor familien", 104, 2.0)
add(SOSIAL, "283", "Bolig til vanskeligstilte", 18, 1.0)

KULTUR = "Kultur og idrett"
add(KULTUR, "370", "Stormen bibliotek og filialer", 29, 1.0)
add(KULTUR, "383", "Kulturskolen", 26, 1.0)
add(KULTUR, "383", "Elevbetaling kulturskolen", -5, 0.0, kind="inntekt")
add(KULTUR, "386", "Stormen konserthus, tilskudd", 34, 0.5)
add(KULTUR, "375", "Museum og kulturminner", 7, 0.0)
add(KULTUR, "385", "Tilskudd til lag og foreninger", 11, 0.0)
add(KULTUR, "385", "Frivilligsentral", 3, 0.0)
add(KULTUR, "381", "Idrettsanlegg og svømmehaller", 47, 1.5)
add(KULTUR, "380", "Friluftsliv og turstier", 4, 0.0)
add(KULTUR, "377", "Kunstformidling og festivaler", 6, -3.0)
add(KULTUR, "231", "Ungdomsrådet og ungdomstiltak", 2.5, 0.0)
for name, code, millions in YOUTH_CLUBS:
    add(KULTUR, "231", name, millions, 0.0, area=code)

TEKNISK = "Teknisk og samferdsel"
add(TEKNISK, "332", "Kommunale veier, drift og vedlikehold", 86, 1.0)
add(TEKNISK, "332", "Vintervedlikehold (brøyting og strøing)", 54, 1.0)
add(TEKNISK, "333", "Gatelys", 14, -1.0)
add(TEKNISK, "335", "Parker, lekeplasser og grøntanlegg", 23, 0.5)
add(TEKNISK, "339", "Brann og redning", 96, 1.5)
add(TEKNISK, "338", "Forebyggende brannvern og feiing", 19, 1.0)
add(TEKNISK, "338", "Feiegebyr", -19, 1.0, kind="inntekt")
add(TEKNISK, "345", "Vannforsyning", 118, 4.0)
add(TEKNISK, "340", "Vanngebyr", -118, 4.0, kind="inntekt")
add(TEKNISK, "353", "Avløp og rensing", 142, 5.0)
add(TEKNISK, "350", "Avløpsgebyr", -142, 5.0, kind="inntekt")
add(TEKNISK, "355", "Renovasjon (Iris)", 96, 2.0)
add(TEKNISK, "355", "Renovasjonsgebyr", -96, 2.0, kind="inntekt")
add(TEKNISK, "330", "Kollektivtransport, kommunal andel", 12, 0.0)
add(TEKNISK, "332", "Trafikksikkerhetstiltak", 6, 8.0)
add(TEKNISK, "332", "Parkeringsinntekter", -31, 1.0, kind="inntekt")
add(TEKNISK, "332", "Veier og bryggeanlegg i distriktene", 9, 0.0, area="1804-G05")

PLAN = "Plan, miljø og næring"
add(PLAN, "301", "Arealplanlegging", 18, 0.0)
add(PLAN, "302", "Byggesaksbehandling", 21, 0.0)
add(PLAN, "302", "Byggesaksgebyr", -15, 1.0, kind="inntekt")
add(PLAN, "303", "Kart og oppmåling", 12, 0.0)
add(PLAN, "325", "Næringsutvikling og reiseliv", 9, -2.0)
add(PLAN, "329", "Landbruk", 4, 0.0)
add(PLAN, "360", "Naturforvaltning og klima", 6, 3.0)
add(PLAN, "360", "Klimasats-tiltak", 3, -10.0)

ADMIN = "Administrasjon og fellestjenester"
add(ADMIN, "100", "Politisk styring (bystyret, formannskapet, utvalg)", 24, 0.0)
add(ADMIN, "110", "Kontrollutvalg og revisjon", 7, 1.0)
add(ADMIN, "120", "Rådmannens stab og ledelse", 48, -1.0)
add(ADMIN, "120", "Økonomi, lønn og regnskap", 39, -1.0)
add(ADMIN, "120", "Personal og HMS", 26, 0.0)
add(ADMIN, "120", "IKT og digitalisering", 71, 2.0)
add(ADMIN, "120", "Servicetorg og arkiv", 17, 0.0)
add(ADMIN, "121", "Forvaltning av kommunale bygg", 163, 1.5)
add(ADMIN, "121", "Husleieinntekter", -42, 1.0, kind="inntekt")
add(ADMIN, "180", "Energi til kommunale bygg", 58, -2.0)
add(ADMIN, "390", "Bodø kirkelige fellesråd, tilskudd", 36, 0.5)
add(ADMIN, "392", "Tilskudd til andre trossamfunn", 6, 0.5)
add(ADMIN, "120", "Innbyggerdialog og medvirkning", 2, 5.0)

# The executive board's changes to the proposal: (line, millions added every plan year).
RECOMMENDATION = {
    "Kjerringøy skole": 1.2,
    "Misvær skole": 0.8,
    "Tilskudd til lag og foreninger": 1.5,
    "Fritidsklubb Tverlandet": 0.6,
    "Trafikksikkerhetstiltak": 2.0,
    "IKT og digitalisering": -2.5,
    "Kunstformidling og festivaler": 0.4,
    "Rådmannens stab og ledelse": -3.0,
}


def _round(value: Decimal) -> Decimal:
    return (value / 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 1000


def amounts(millions: float, change: float, extra: float = 0) -> list[Decimal]:
    base = Decimal(str(millions)) * 1_000_000
    factor = 1 + Decimal(str(change)) / 100
    values = [_round(base / factor)]  # this year's budget (the year before the plan)
    for offset in range(4):
        values.append(_round(base * factor**offset) + Decimal(str(extra)) * 1_000_000)
    return values


def kroner(value: Decimal) -> str:
    """As Norwegians write it: thousands with a space, a minus sign for income."""
    return f"{int(value):,}".replace(",", " ")


def rows(changes: dict[str, float] | None = None) -> list[list]:
    result = []
    for sector, kostra, line, kind, millions, change, area in LINES:
        extra = (changes or {}).get(line, 0)
        result.append([sector, kostra, line, kind, *amounts(millions, change, extra), area])
    return result


def write_csv(path: Path, lines: list[list]) -> None:
    text = [";".join(HEADER)]
    for *start, a0, a1, a2, a3, a4, area in lines:
        text.append(";".join([*start, *(kroner(v) for v in (a0, a1, a2, a3, a4)), area]))
    path.write_text("\r\n".join(text) + "\r\n", encoding="utf-8")


def write_xlsx(path: Path, lines: list[list]) -> None:
    workbook = Workbook()
    fixed = datetime.datetime(2026, 10, 1, 12, 0)
    workbook.properties.created = workbook.properties.modified = fixed
    workbook.properties.creator = "Nabolaget (illustrativt demobudsjett)"
    workbook.properties.description = NOTE
    sheet = workbook.active
    sheet.title = "Budsjett"
    sheet.append(HEADER)
    for *start, a0, a1, a2, a3, a4, area in lines:
        sheet.append([*start, *(int(v) for v in (a0, a1, a2, a3, a4)), area or None])
    notes = workbook.create_sheet("Merknad")
    notes.append([NOTE])
    buffer = io.BytesIO()
    workbook.save(buffer)
    # Fixed member timestamps, so that the file is the same byte for byte each time.
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            info = zipfile.ZipInfo(member.filename, date_time=(2026, 10, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            data = source.read(member.filename)
            if member.filename == "docProps/core.xml":  # openpyxl stamps the time of saving
                data = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-10-01T12:00:00Z", data
                )
            target.writestr(info, data)


def main() -> None:
    proposal = rows()
    write_csv(FOLDER / "bodo-budsjett-2027-forslag.csv", proposal)
    write_xlsx(FOLDER / "bodo-budsjett-2027-forslag.xlsx", proposal)
    write_csv(FOLDER / "bodo-budsjett-2027-innstilling.csv", rows(RECOMMENDATION))
    print(f"{len(proposal)} lines in {len({line[0] for line in LINES})} sectors → {FOLDER}")


if __name__ == "__main__":
    main()
