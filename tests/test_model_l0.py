"""The L0 registration contract: ordered checks and error codes per release (spec §2)."""

import pytest

from analyzer.model.l0 import L0, check_registration

BASE = dict(vcpu=1, domain_vcpus=4, caller=1, target_down=False, registered=False,
            offset=0, frame_ok=True)


@pytest.mark.parametrize("change, errors", [
    (dict(vcpu=4), ("ENOENT", "ENOENT", "ENOENT")),
    (dict(offset=4096), ("EINVAL", "ENXIO", "EINVAL")),
    (dict(offset=4040), ("EINVAL", "ENXIO", "ENXIO")),
    (dict(offset=12), ("EINVAL", "ENXIO", "ENXIO")),
    (dict(registered=True), ("EINVAL", "EINVAL", "EBUSY")),
    (dict(caller=0), ("EINVAL", "EINVAL", None)),
    (dict(caller=0, target_down=True), (None, None, None)),
    (dict(frame_ok=False), ("EINVAL", "EINVAL", "EINVAL")),
    (dict(), (None, None, None)),
])
def test_checks_per_release(change, errors):
    got = tuple(check_registration(r, **{**BASE, **change}) for r in ("4.15", "4.16-4.17", "4.18+"))
    assert got == errors


def test_first_failing_check_decides():
    # Crossing a page and already registered: the page check comes first.
    assert check_registration("4.18+", **{**BASE, "offset": 4040, "registered": True}) == "ENXIO"
    # Not in the domain beats everything.
    assert check_registration("4.18+", **{**BASE, "vcpu": 9, "offset": 3}) == "ENOENT"


def test_registration_holds_until_new_epoch():
    l0 = L0("4.16-4.17", 2)
    l0.down.discard(0)
    assert l0.register(caller=0, vcpu=0, address=4096, injected=None) is None
    assert l0.register(caller=0, vcpu=0, address=4096, injected=None) == "EINVAL"
    l0.new_epoch({0})
    assert l0.epoch == 1 and not l0.reg and l0.down == {1}
    assert l0.register(caller=0, vcpu=0, address=4096, injected="ENOMEM") == "ENOMEM"
