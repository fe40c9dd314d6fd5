"""Query budgets shared by the page tests."""

# Every signed-in page: the session, the user, and the header's unread-notifications count
# with the bank-reviewer check (one query: marketplace.notifications.context_processors).
SIGNED_IN_PAGE = 3
