import pytest

from tests.factories import UserFactory


@pytest.fixture
def moderator(db):
    return UserFactory(roles=["Moderators"])


@pytest.fixture
def question(discussion):
    return discussion.questions.first()
