"""Query budgets shared by the page tests."""

# Every signed-in page: the session, the user, and the header's unread-notifications count
# and bank-reviewer check (marketplace.notifications / marketplace.pledges context processors).
SIGNED_IN_PAGE = 4
