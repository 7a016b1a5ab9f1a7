"""Admin pages of records that only code writes (imports, tasks, services, alerts): agents list and
read them, never add or change them here."""


class LectureSeuleMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
