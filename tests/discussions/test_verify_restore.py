import pytest
from django.core.management import CommandError, call_command

from discussions.models import Comment
from tests.factories import CommentFactory


def test_snapshot_then_verify_passes_on_the_same_data(tmp_path, discussion, capsys):
    answer = CommentFactory(question=discussion.questions.first())
    CommentFactory(parent=answer)
    counts = tmp_path / "counts.json"
    call_command("verify_restore", snapshot=counts)
    call_command("verify_restore", against=counts)
    assert "complete" in capsys.readouterr().out


def test_missing_rows_fail_the_check(tmp_path, discussion):
    CommentFactory.create_batch(2, question=discussion.questions.first())
    counts = tmp_path / "counts.json"
    call_command("verify_restore", snapshot=counts)
    Comment.objects.last().delete()
    with pytest.raises(CommandError, match="comments: expected 2, found 1"):
        call_command("verify_restore", against=counts)


def test_broken_threads_fail_the_check(discussion):
    answer = CommentFactory(question=discussion.questions.first())
    reply = CommentFactory(parent=answer)
    Comment.objects.filter(pk=reply.pk).update(question=discussion.questions.last())
    with pytest.raises(CommandError, match="another question"):
        call_command("verify_restore")
