from django.http import HttpResponse


def cite_list(request):
    return HttpResponse("TODO")


def cite_detail(request, slug):
    return HttpResponse("TODO")


def statistiques(request):
    return HttpResponse("TODO")
