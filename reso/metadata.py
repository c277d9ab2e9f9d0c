"""The CSDL ``$metadata`` document, generated from the resource definitions."""

from xml.sax.saxutils import quoteattr

from reso.lookups import LOOKUP
from reso.resources import RESOURCES

NAMESPACE = "org.reso.metadata"


def _property(dd_field) -> str:
    attrs = [f"Name={quoteattr(dd_field.name)}", f"Type={quoteattr(dd_field.edm)}"]
    if not dd_field.nullable:
        attrs.append('Nullable="false"')
    if dd_field.max_length:
        attrs.append(f'MaxLength="{dd_field.max_length}"')
    if dd_field.precision:
        attrs.append(f'Precision="{dd_field.precision}"')
    if dd_field.scale is not None:
        attrs.append(f'Scale="{dd_field.scale}"')
    element = f"<Property {' '.join(attrs)}"
    if dd_field.lookup_name:
        name = quoteattr(dd_field.lookup_name)
        annotation = f'<Annotation Term="RESO.OData.Metadata.LookupName" String={name}/>'
        return f"{element}>{annotation}</Property>"
    return f"{element}/>"


def _entity_type(resource) -> str:
    parts = [
        f'<EntityType Name="{resource.name}">',
        f'<Key><PropertyRef Name="{resource.key}"/></Key>',
    ]
    parts += [_property(f) for f in resource.fields]
    for navigation in resource.navigations:
        kind = f"{NAMESPACE}.{navigation.target}"
        kind = f"Collection({kind})" if navigation.collection else kind
        parts.append(f'<NavigationProperty Name="{navigation.name}" Type="{kind}"/>')
    parts.append("</EntityType>")
    return "\n".join(parts)


def _entity_set(resource) -> str:
    bindings = "".join(
        f'<NavigationPropertyBinding Path="{n.name}" Target="{n.target}"/>'
        for n in resource.navigations
    )
    return (
        f'<EntitySet Name="{resource.name}" EntityType="{NAMESPACE}.{resource.name}">'
        f"{bindings}</EntitySet>"
    )


def metadata_document() -> str:
    """CSDL 4.0 XML for every served resource, Lookup included."""
    resources = [*RESOURCES.values(), LOOKUP]
    return "\n".join(
        [
            '<?xml version="1.0" encoding="UTF-8"?>',
            '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
            "<edmx:DataServices>",
            f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace="{NAMESPACE}">',
            *(_entity_type(r) for r in resources),
            '<EntityContainer Name="Default">',
            *(_entity_set(r) for r in resources),
            "</EntityContainer>",
            "</Schema>",
            "</edmx:DataServices>",
            "</edmx:Edmx>",
        ]
    )
