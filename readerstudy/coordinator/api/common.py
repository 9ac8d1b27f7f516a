"""What the coordinator API modules share: the OpenAPI tag, a free-form JSON response, page size."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

TAG = ["coordinator"]
ANY_JSON = OpenApiResponse(response=OpenApiTypes.OBJECT)
PAGE_SIZE = 50
