"""The texts of the map's controls in the reader's language: Leaflet's zoom and layer
buttons and every text of Leaflet.draw (its ``L.drawLocal``, same shape), which the
libraries have only in English. The page passes them to static/js/area-map.js as JSON
(``{% map_texts %}``); the script sets them before it makes a control."""

from __future__ import annotations

from django.utils.translation import gettext as _


def map_texts() -> dict:
    """The controls' texts, translated in the active language."""
    cancel = _("Cancel")
    return {
        "zoomIn": _("Zoom in"),
        "zoomOut": _("Zoom out"),
        "layers": _("Map layers"),
        "draw": {
            "toolbar": {
                "actions": {"title": _("Cancel drawing"), "text": cancel},
                "finish": {"title": _("Finish drawing"), "text": _("Finish")},
                "undo": {"title": _("Delete the last point drawn"), "text": _("Delete last point")},
                "buttons": {
                    "polyline": _("Draw a line"),
                    "polygon": _("Draw an area (polygon)"),
                    "rectangle": _("Draw a rectangle"),
                    "circle": _("Draw a circle"),
                    "marker": _("Place a point"),
                    "circlemarker": _("Place a point"),
                },
            },
            "handlers": {
                "circle": {
                    "tooltip": {"start": _("Click and drag to draw a circle.")},
                    "radius": _("Radius"),
                },
                "circlemarker": {"tooltip": {"start": _("Click the map to place a point.")}},
                "marker": {"tooltip": {"start": _("Click the map to place a point.")}},
                "polygon": {
                    "tooltip": {
                        "start": _("Click to start drawing the area."),
                        "cont": _("Click to continue drawing the area."),
                        "end": _("Click the first point to close the area."),
                    }
                },
                "polyline": {
                    "error": _("The line may not cross itself."),
                    "tooltip": {
                        "start": _("Click to start drawing the line."),
                        "cont": _("Click to continue drawing the line."),
                        "end": _("Click the last point to finish the line."),
                    },
                },
                "rectangle": {"tooltip": {"start": _("Click and drag to draw a rectangle.")}},
                "simpleshape": {"tooltip": {"end": _("Let go of the mouse button to finish.")}},
            },
        },
        "edit": {
            "toolbar": {
                "actions": {
                    "save": {"title": _("Save the changes"), "text": _("Save")},
                    "cancel": {
                        "title": _("Stop editing and undo the changes"),
                        "text": cancel,
                    },
                    "clearAll": {"title": _("Delete everything drawn"), "text": _("Delete all")},
                },
                "buttons": {
                    "edit": _("Edit what is drawn"),
                    "editDisabled": _("Nothing drawn to edit"),
                    "remove": _("Delete what is drawn"),
                    "removeDisabled": _("Nothing drawn to delete"),
                },
            },
            "handlers": {
                "edit": {
                    "tooltip": {
                        "text": _("Drag the handles or points to change the shape."),
                        "subtext": _("Click Cancel to undo the changes."),
                    }
                },
                "remove": {"tooltip": {"text": _("Click a shape to delete it.")}},
            },
        },
    }
