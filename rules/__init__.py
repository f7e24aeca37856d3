"""xenlint's rules, one per module; ALL_RULES is the registry.

Each module starts with a Coccinelle-style header (what it finds, why it
matters, how confident it is) followed by the matching logic.  Rules read
facts (analyzer.frontend.facts) and yield findings; they never print.
"""

from .xl101_legacy_vcpu_info_index import LegacyVcpuInfoIndex
from .xl102_unbounded_legacy_fallback import UnboundedLegacyFallback
from .xl103_mapping_result_ignored import MappingResultIgnored
from .xl104_registration_without_once_guard import RegistrationWithoutOnceGuard
from .xl105_percpu_type_mismatch import PerCpuTypeMismatch
from .xl106_file_scope_not_static import FileScopeNotStatic
from .xl107_vcpu_info_may_cross_page import VcpuInfoMayCrossPage

ALL_RULES = (
    LegacyVcpuInfoIndex(),
    UnboundedLegacyFallback(),
    MappingResultIgnored(),
    RegistrationWithoutOnceGuard(),
    PerCpuTypeMismatch(),
    FileScopeNotStatic(),
    VcpuInfoMayCrossPage(),
)

RULES_BY_ID = {rule.id: rule for rule in ALL_RULES}
