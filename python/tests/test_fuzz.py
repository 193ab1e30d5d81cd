"""The mutational fuzzer of pet-opt (pet_mlir.fuzz): a short seeded slice
of what a standalone run does, which must find no crash or hang; and the
fuzzer must notice a crash when there is one."""

import os
import stat

from pet_mlir import fuzz


def test_a_seeded_slice_finds_no_crash(tmp_path):
    failures = fuzz.fuzz(count=300, seed=7, jobs=2, out=tmp_path)
    assert failures == [], failures


def test_mutations_change_programs_deterministically():
    programs = fuzz.corpus()
    assert len(programs) > 100
    a = [fuzz.mutate(programs[0], fuzz.random.Random(3)) for _ in range(2)]
    assert a[0] == a[1]
    assert any(fuzz.mutate(programs[0], fuzz.random.Random(s)) != programs[0]
               for s in range(5))


def test_a_crashing_pet_opt_is_reported_with_a_reproducer(tmp_path):
    # A stand-in for pet-opt that aborts the way an assertion does.
    fake = tmp_path / "pet-opt"
    fake.write_text("#!/bin/sh\ncat > /dev/null\n"
                    "echo 'pet-opt: Foo.cpp:1: Assertion `x` failed.' >&2\nkill -6 $$\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    failures = fuzz.fuzz(count=3, seed=1, pet_opt=str(fake), out=tmp_path / "out",
                         programs=["func.func @f() {\n  return\n}"])
    assert failures and failures[0][0].startswith("Assertion")
    assert list((tmp_path / "out").glob("crash-*.mlir"))
