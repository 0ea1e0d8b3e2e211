"""Reading rows that belong to many actions at once, in one query however many actions there are.

Up to IDS_IN_QUERY actions, the rows are asked for by the actions' ids; beyond that (most of the plan), the
whole table is read and the caller keeps the rows of its actions: a list of ids that long costs more to send
and match than the rows it leaves out, and passes the number of parameters a database takes in one query.
"""

IDS_IN_QUERY = 2000


def for_ids(queryset, field: str, ids):
    """`queryset` narrowed to rows whose `field` is one of `ids`, or not narrowed when there are many:
    callers keep only the rows of their own ids either way."""
    ids = list(ids)
    if len(ids) <= IDS_IN_QUERY:
        return queryset.filter(**{f"{field}__in": ids})
    return queryset
