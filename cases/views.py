from django.shortcuts import get_object_or_404, render

from cases.models import Case


def case_detail(request, pk: int):
    """A case with the input linked to it and its consultations."""
    case = get_object_or_404(Case.objects.select_related("municipality"), pk=pk)
    consultations = case.consultations.prefetch_related("councils", "statements")
    return render(request, "cases/detail.html", {"case": case, "consultations": consultations})
