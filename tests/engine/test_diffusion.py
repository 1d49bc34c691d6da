"""Diffusion with generations: a share is sent to a friend's inbox (seen first in the friend's
next session, with the sender as its source) or reposted to the sharer's followers; the share
table keeps who got each video from whom."""

from __future__ import annotations

import numpy as np

from diplosim.analysis.cascades import cascades
from diplosim.analysis.run import load_run
from diplosim.engine.inboxes import compact_inboxes, send_to_friends
from diplosim.engine.state import INBOX, build_state
from tests.engine.conftest import query, run, scenario_of


def _inboxes(n):
    """Inbox rows for ``n`` users, none taken yet, and room for ``n`` rows."""
    return (np.full(n, -1, np.int32), np.full((n, INBOX), -1, np.int32),
            np.zeros((n, INBOX), np.uint8), np.zeros((n, INBOX), np.uint16),
            np.zeros(n, np.uint8))


def _by_user(boxes):
    """The inbox arrays indexed by user (a user without a row: an empty inbox)."""
    row, vid, place, tick, pos = boxes
    have = row >= 0
    out_vid = np.where(have[:, None], vid[np.maximum(row, 0)], -1)
    return out_vid, place[np.maximum(row, 0)], tick[np.maximum(row, 0)], pos


def test_sends_go_to_a_friend_reposts_stay_and_the_draws_repeat():
    # users 0-1-2 are friends in a line; 3 has none
    ptr = np.array([0, 1, 3, 4, 4], np.int64)
    idx = np.array([1, 0, 2, 1], np.int32)
    viewers = np.array([0, 1, 1, 3], np.int64)
    videos = np.array([10, 11, 12, 13], np.int32)
    boxes = _inboxes(4)
    repost = send_to_friends(np.uint64(7), 5, viewers, videos, 1.0, ptr, idx, *boxes, 0)
    assert repost.tolist() == [False, False, False, True]  # user 3 has nobody to send to
    taken = boxes[0][boxes[0] >= 0]  # rows are taken in turn, at each user's first send
    assert sorted(taken.tolist()) == list(range(taken.size)) and boxes[0][1] == 0
    vid, place, tick, pos = _by_user(boxes)
    # a sender is kept as its place in the recipient's friend row
    sender = idx[np.minimum(ptr[:-1, None] + place, idx.size - 1)]
    assert vid[1].tolist()[:1] == [10] and sender[1, 0] == 0 and tick[1, 0] == 5
    received = {(int(v), int(s)) for u in (0, 2) for v, s in zip(vid[u], sender[u],
                                                                   strict=True) if v >= 0}
    assert received <= {(11, 1), (12, 1)} and len(received) == 2
    assert pos.tolist() == [sum(vid[0] >= 0), 1, sum(vid[2] >= 0), 0]
    # nothing is sent with probability 0; the same inputs give the same sends
    assert send_to_friends(np.uint64(7), 5, viewers, videos, 0.0, ptr, idx,
                           *_inboxes(4), 0).all()
    again = _inboxes(4)
    send_to_friends(np.uint64(7), 5, viewers, videos, 1.0, ptr, idx, *again, 0)
    assert all(np.array_equal(a, b) for a, b in zip(boxes, again, strict=True))


def test_a_full_inbox_keeps_the_newest_sends():
    ptr, idx = np.array([0, 1, 2], np.int64), np.array([1, 0], np.int32)
    boxes = _inboxes(2)
    send_to_friends(np.uint64(1), 0, np.zeros(INBOX + 2, np.int64),
                    np.arange(INBOX + 2, dtype=np.int32), 1.0, ptr, idx, *boxes, 0)
    assert sorted(_by_user(boxes)[0][1].tolist()) == list(range(2, INBOX + 2))


def test_emptied_inboxes_give_their_rows_up_and_the_rest_keep_their_entries():
    row = np.array([2, -1, 0, 1], np.int32)
    vid = np.array([[5, -1], [-1, -1], [7, 8]], np.int32)
    place = np.array([[1, 0], [0, 0], [2, 3]], np.uint8)
    tick = np.array([[4, 0], [0, 0], [6, 6]], np.uint16)
    new_vid, new_place, new_tick = compact_inboxes(row, vid, place, tick, 3)
    assert row.tolist() == [0, -1, 1, -1]  # user 3's row was empty
    assert new_vid.shape == (5, 2) and new_vid[:2].tolist() == [[7, 8], [5, -1]]
    assert new_place[:2].tolist() == [[2, 3], [1, 0]] and new_tick[0].tolist() == [6, 6]
    assert (new_vid[2:] == -1).all()


SHARING = {"name": "t", "seed": 11, "duration_days": 2,
           "world": {"users": 4000, "countries": ["US", "GB"]}}


def test_videos_travel_friend_to_friend_for_generations(tmp_runs):
    """With sharing made common (the mechanism, not the calibration, under test), every share
    of a passed-on copy comes from a friend or a followed account of the sharer that shared the
    same video earlier, and chains of many generations form."""
    out = run(SHARING, tmp_runs, ["parameters.share_given_completion=0.5"])
    acc = build_state(scenario_of(SHARING, ["parameters.share_given_completion=0.5"])).accounts
    rows = query(out, """
        SELECT i.account, i.from_account, i.post, i.tick,
               (SELECT min(j.tick) FROM interactions j WHERE j.kind = 'share'
                  AND j.post = i.post AND j.account = i.from_account) AS sender_tick
        FROM interactions i
        WHERE i.kind = 'share' AND i.from_account IS NOT NULL
          AND i.from_account <> i.target_account
          -- videos of the run: the burn-in's (the platform's past) were shared unlogged
          AND i.post IN (SELECT post FROM posts WHERE day >= 0)""")
    assert len(rows) > 500
    # follows made during the run (the rebuilt state has only the starting graph)
    later = set(query(out, "SELECT account, target_account FROM interactions "
                           "WHERE kind = 'follow'"))
    via_friend = 0
    for account, sender, _post, tick, sender_tick in rows:
        friends = acc.friend_idx[acc.friend_ptr[account]:acc.friend_ptr[account + 1]]
        follows = acc.follow_idx[acc.follow_ptr[account]:acc.follow_ptr[account + 1]]
        assert sender in friends or sender in follows or (account, sender) in later
        assert sender_tick is not None and sender_tick < tick  # seen the next session at once
        via_friend += int(sender in friends)
    assert via_friend > 0.5 * len(rows)  # 69% of shares are sends
    deepest = max(c["depth"] for c in cascades(load_run(out)))
    assert deepest >= 3  # a star (For You alone) has depth 1; here chains of friends
