"""The programme engine: schedule, re-plan on overrun, and what participants see of the agenda."""

from datetime import datetime, timedelta

import pytest

from method.catalogue import is_fixed, workshop_template
from method.programme import (
    PlannedStep,
    PlanStep,
    Replan,
    ReplannedStep,
    plan_steps,
    replan,
    schedule,
    total_minutes,
    visible_steps,
)

NINE = datetime(2025, 3, 4, 9, 0)


def at(hour: int, minute: int, second: int = 0) -> datetime:
    """Return a time on the workshop day."""
    return NINE.replace(hour=hour, minute=minute, second=second)


def flex(title: str, minutes: int) -> PlanStep:
    return PlanStep(title, minutes)


def fixed(title: str, minutes: int) -> PlanStep:
    return PlanStep(title, minutes, fixed=True)


def new_minutes(result: Replan) -> dict[str, int | None]:
    """Return each coming step's new minutes by title, None when dropped."""
    return {s.title: None if s.dropped else s.minutes for s in result.steps}


@pytest.mark.parametrize(
    ("techniques", "expected"),
    [
        (["clarify_context"], True),
        (["mirror"], True),
        (["break"], True),
        (["w3_debrief", "evaluation_form"], True),
        (["one_two_four_all", "fifteen_percent"], False),
        ([], False),
    ],
)
def test_step_is_fixed_when_any_technique_is_context_mirror_break_or_form(techniques, expected):
    assert is_fixed(techniques) is expected


def test_total_minutes_adds_the_steps():
    assert total_minutes([flex("A", 10), fixed("B", 15), flex("C", 25)]) == 50


def test_schedule_places_steps_one_after_another():
    steps = [fixed("Welcome", 10), flex("Ideas", 25), fixed("Break", 15)]

    planned = schedule(steps, at(9, 0))

    assert planned == [
        PlannedStep(0, "Welcome", 10, True, at(9, 0), at(9, 10)),
        PlannedStep(1, "Ideas", 25, False, at(9, 10), at(9, 35)),
        PlannedStep(2, "Break", 15, True, at(9, 35), at(9, 50)),
    ]


def test_schedule_of_empty_programme_is_empty():
    assert schedule([], at(9, 0)) == []


def test_workshop_one_template_fills_a_breakfast_morning():
    steps = plan_steps(workshop_template("W1"), "nb")

    planned = schedule(steps, at(7, 30))

    assert (planned[0].title, planned[0].starts_at) == ("Velkommen", at(7, 30))
    assert (planned[-1].title, planned[-1].ends_at) == ("Avslutning", at(10, 30))
    assert [s.key for s in steps if s.fixed] == ["W1.1", "W1.5", "W1.8"]


def test_plan_steps_carry_key_title_minutes_and_fixed_flag():
    steps = plan_steps(workshop_template("W5"), "en")

    assert steps[:2] == [
        PlanStep("Story so far", 15, fixed=True, key="W5.1"),
        PlanStep("Our web now", 25, fixed=False, key="W5.2"),
    ]
    assert total_minutes(steps) == 150


# -- re-planning ---------------------------------------------------------------------------------

# Started 09:00; ends 10:25 when everything runs to plan.
STEPS = [flex("Now", 10), flex("B", 20), flex("C", 40), fixed("Form", 15)]
END = at(10, 25)


def test_replan_on_time_leaves_the_rest_unchanged():
    result = replan(STEPS, 0, at(9, 0), now=at(9, 8), workshop_end=END)

    assert result == Replan(
        current_ends_at=at(9, 10),
        steps=(
            ReplannedStep(1, "B", False, 20, 20, False, at(9, 10), at(9, 30)),
            ReplannedStep(2, "C", False, 40, 40, False, at(9, 30), at(10, 10)),
            ReplannedStep(3, "Form", True, 15, 15, False, at(10, 10), at(10, 25)),
        ),
        ends_at=END,
        late_minutes=0,
    )
    assert (result.changed, result.dropped) == (False, ())


def test_replan_with_time_to_spare_never_lengthens_steps():
    result = replan(STEPS, 0, at(9, 0), now=at(9, 5), workshop_end=at(11, 0))

    assert (new_minutes(result), result.ends_at, result.late_minutes) == (
        {"B": 20, "C": 40, "Form": 15},
        at(10, 25),
        0,
    )


def test_overrun_shrinks_flexible_steps_in_proportion():
    result = replan(STEPS, 0, at(9, 0), now=at(9, 16), workshop_end=END)

    assert new_minutes(result) == {"B": 18, "C": 36, "Form": 15}
    assert (result.current_ends_at, result.ends_at, result.late_minutes) == (at(9, 16), END, 0)
    assert result.changed


def test_overrun_by_seconds_cuts_a_whole_minute_so_the_end_holds():
    result = replan(STEPS, 0, at(9, 0), now=at(9, 10, 20), workshop_end=END)

    assert new_minutes(result) == {"B": 20, "C": 39, "Form": 15}
    assert result.ends_at <= END and result.late_minutes == 0


def test_extended_current_step_shrinks_the_rest_before_it_overruns():
    extended = [flex("Now", 16), *STEPS[1:]]

    result = replan(extended, 0, at(9, 0), now=at(9, 3), workshop_end=END)

    assert (new_minutes(result), result.current_ends_at) == (
        {"B": 18, "C": 36, "Form": 15},
        at(9, 16),
    )


def test_shrinking_never_goes_below_five_minutes_and_others_take_the_rest():
    steps = [flex("Now", 10), flex("B", 8), flex("C", 60)]
    end = at(10, 18)  # 10 + 8 + 60 minutes from 09:00

    result = replan(steps, 0, at(9, 0), now=at(9, 40), workshop_end=end)

    assert new_minutes(result) == {"B": 5, "C": 33}
    assert result.ends_at == end


def test_shrinking_never_goes_below_half_a_step():
    steps = [flex("Now", 10), flex("B", 20), flex("C", 20), fixed("Form", 15)]
    end = at(10, 5)

    result = replan(steps, 0, at(9, 0), now=at(9, 30), workshop_end=end)

    assert (new_minutes(result), result.late_minutes) == ({"B": 10, "C": 10, "Form": 15}, 0)


def test_when_shrinking_is_not_enough_the_last_flexible_step_is_dropped():
    steps = [flex("Now", 10), flex("B", 20), flex("C", 20), fixed("Form", 15)]
    end = at(10, 5)

    result = replan(steps, 0, at(9, 0), now=at(9, 31), workshop_end=end)

    assert new_minutes(result) == {"B": 19, "C": None, "Form": 15}
    assert result.dropped == (2,)
    assert (result.steps[1].starts_at, result.steps[2].starts_at) == (None, at(9, 50))
    assert (result.ends_at, result.late_minutes) == (end, 0)


def test_fixed_steps_keep_their_minutes_however_late():
    steps = [fixed("Now", 10), fixed("Break", 15), flex("B", 30), fixed("Form", 20)]
    end = at(10, 15)

    result = replan(steps, 0, at(9, 0), now=at(9, 50), workshop_end=end)

    assert new_minutes(result) == {"Break": 15, "B": None, "Form": 20}
    assert (result.ends_at, result.late_minutes) == (at(10, 25), 10)


def test_workshop_that_cannot_fit_says_how_many_minutes_late_it_ends():
    steps = [flex("Now", 10), fixed("Form", 15)]

    result = replan(steps, 0, at(9, 0), now=at(9, 20, 30), workshop_end=at(9, 25))

    assert (result.ends_at, result.late_minutes) == (at(9, 35, 30), 11)


def test_last_step_overrunning_past_the_end_is_late():
    result = replan([flex("Only", 30)], 0, at(9, 0), now=at(9, 42), workshop_end=at(9, 30))

    assert (result.steps, result.ends_at, result.late_minutes) == ((), at(9, 42), 12)


def test_overrun_in_workshop_one_shrinks_its_flexible_steps_in_proportion():
    steps = plan_steps(workshop_template("W1"), "en")

    # "Meet someone new" started on time at 09:10 and runs ten minutes over.
    result = replan(steps, 1, at(9, 10), now=at(9, 40), workshop_end=at(12, 0))

    assert new_minutes(result) == {
        "Offer and need": 23,
        "Cooperation that worked": 32,
        "Break": 15,
        "Our web": 27,
        "First joint ideas": 23,
        "Check-out": 20,
    }
    assert (result.ends_at, result.late_minutes) == (at(12, 0), 0)


@pytest.mark.parametrize("overrun", range(0, 181, 7))
@pytest.mark.parametrize("workshop", ["W1", "W2", "W3", "W4", "W5"])
def test_replan_keeps_the_rules_for_any_overrun(workshop, overrun):
    steps = plan_steps(workshop_template(workshop), "en")
    start, first = at(9, 0), steps[0].minutes
    end = start + timedelta(minutes=total_minutes(steps))

    result = replan(
        steps, 0, start, now=start + timedelta(minutes=first + overrun), workshop_end=end
    )

    for new in result.steps:
        old = steps[new.position]
        if old.fixed:
            assert (new.minutes, new.dropped) == (old.minutes, False)
        elif not new.dropped:
            assert min(old.minutes, max(5, (old.minutes + 1) // 2)) <= new.minutes <= old.minutes
    late = max(timedelta(0), result.ends_at - end)
    assert result.late_minutes == -(-late // timedelta(minutes=1))
    kept = [s for s in result.steps if not s.dropped]
    assert result.ends_at == result.current_ends_at + timedelta(
        minutes=sum(s.minutes for s in kept)
    )
    dropped = [s.position for s in result.steps if s.dropped]
    flexible = [s.position for s in result.steps if not s.fixed]
    assert dropped == flexible[len(flexible) - len(dropped) :]


def test_replan_refuses_a_current_step_outside_the_programme():
    with pytest.raises(IndexError):
        replan(STEPS, 4, at(9, 0), now=at(9, 0), workshop_end=END)


# -- what participants see -----------------------------------------------------------------------

AGENDA = [flex("One", 10), flex("Two", 20), flex("Three", 30)]


@pytest.mark.parametrize(
    ("visibility", "current", "expected"),
    [
        ("open", None, ["One", "Two", "Three"]),
        ("open", 1, ["One", "Two", "Three"]),
        ("stepwise", None, []),
        ("stepwise", 0, ["One"]),
        ("stepwise", 1, ["One", "Two"]),
        ("stepwise", 2, ["One", "Two", "Three"]),
        ("hidden", None, []),
        ("hidden", 1, []),
    ],
)
def test_agenda_visibility_shows_all_steps_reached_or_none(visibility, current, expected):
    assert [s.title for s in visible_steps(AGENDA, visibility, current)] == expected


def test_unknown_agenda_visibility_is_refused():
    with pytest.raises(ValueError, match="visibility must be one of open, stepwise, hidden"):
        visible_steps(AGENDA, "secret", 0)
