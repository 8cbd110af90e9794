# The interface of public pages, in English. Every message here has its
# French twin in locales/fr/main.ftl (a test fails otherwise).

## Layout
site-title = { $page } · { $site }
skip-to-content = Skip to content
nav-home = Home
footer-powered = Powered by peerpress, free software under the { $licence }.
footer-source = Source code
footer-language = Language
home-title = Home
home-communities = Communities
home-follow = follow { $handle }

## Dates (the month's name goes into `date`)
date = { $month } { $day }, { $year }
date-time = { $date } at { $time } UTC
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Lists of articles
nothing-published = Nothing published yet.
by-authors = By { $authors }
in-community = in { $community }
follow-from-fediverse = Follow from Mastodon or any fediverse server:
copy = Copy
copied = Copied
feeds = Feeds:
feed-atom = { $title } (Atom)
feed-rss = { $title } (RSS)
feed-json = { $title } (JSON Feed)

## A community's page
community-about-default = A community on peerpress.
community-network-link = Network
community-network-what = what it follows and shares
community-articles = Articles
community-announcements = Announcements
community-no-announcements = No announcements.
community-about-charter = About and charter
community-licence = Articles here are published under { $licence } unless an article says otherwise.
community-licence-free = Articles here are published under the licence their authors choose.
community-no-charter = This community has not published a charter yet.
community-log = Every decision is in the public { $log }.
community-log-link = moderation log

## Comment policies
policy-held = Comments from other servers are shown once a moderator approves them.
policy-followers = Comments by followers of the community are shown at once; others once a moderator approves them.
policy-open = Comments from anywhere are shown at once; moderators may remove them.

## An article's page
announcement-of = Announcement of { $date }
updated-on = updated { $date }
licence-label = Licence:
language-label = Language:
likes-count = { $count ->
    [one] { $count } like
   *[other] { $count } likes
}
shares-count = { $count ->
    [one] { $count } share
   *[other] { $count } shares
}
comments-count = { $count ->
    [one] { $count } comment
   *[other] { $count } comments
}
comments = Comments
moderation-log = Moderation log
no-comments = No comments yet. Reply from Mastodon or any fediverse server to comment.
comment-someone = someone
comment-sensitive = Sensitive content
attachment-image-no-alt = An image; its author gave no description
attachment-file = Attached file
mentions = Mentions:
comment-pages = Pages of comments
comments-earlier = Earlier comments
comments-later = Later comments

## Licences (their names as shown in pages)
licence-CC0-1_0 = CC0 1.0 Universal
licence-CC-BY-4_0 = Creative Commons Attribution 4.0
licence-CC-BY-SA-4_0 = Creative Commons Attribution-ShareAlike 4.0
licence-CC-BY-NC-SA-4_0 = Creative Commons Attribution-NonCommercial-ShareAlike 4.0
licence-GPL-3_0-or-later = GNU General Public License v3.0 or later
licence-peer-production = Peer Production License
licence-all-rights-reserved = All rights reserved

## The network feed
network-title = { $community }: network
network-intro = What { $community } follows and shares from other servers. Each piece stays its authors' work, under its own licence: openly licensed ones are shown in full with attribution, others as title, summary and a link to the original.
network-empty = Nothing here yet. Stewards and editors can follow other communities.
network-event = Event
network-event-to = to { $end }
network-poll = A poll: { $link }.
network-poll-link = vote at its origin
network-no-licence = No licence given: all rights reserved
network-original = Original
network-read-at-origin = Read it at its origin

## The moderation log
log-title = { $scope }: moderation log
log-about-community = Every moderation decision of { $community }, when and why, and the role of whoever took it.
log-about-instance = Every moderation and federation decision of this instance and its communities: blocked and allowed domains, blocked actors, roles, reports, comments, settings.
log-follow = Follow this log (Atom)
log-empty = No decisions yet.
log-when = When
log-decision = Decision
log-community = Community
log-on = On
log-reason = Reason
log-by = By
log-the-instance = the instance
log-a-domain = a domain
log-action-approve = Comment approved
log-action-remove = Comment removed
log-action-restore = Comment restored
log-action-policy = Comment policy changed
log-action-settings = Settings changed
log-action-charter = Charter changed
log-action-role_granted = Role granted
log-action-role_removed = Role removed
log-action-actor_blocked = Actor blocked
log-action-actor_unblocked = Actor unblocked
log-action-domain_blocked = Domain blocked
log-action-domain_silenced = Domain silenced
log-action-domain_unblocked = Domain unblocked
log-action-domain_allowed = Domain allowed
log-action-domain_disallowed = Domain no longer allowed
log-action-federation_mode = Federation mode changed
log-action-report_resolved = Report resolved
log-action-other = Decision
role-steward = steward
role-editor = editor
role-moderator = moderator
role-author = author
role-member = member
role-admin = admin

## Other pages
instance-actor-page = This is the instance actor of a peerpress server.
source-title = Source code
source-body = This server runs peerpress { $version } (commit { $commit }), free software under the GNU Affero General Public License, version 3 or later. The source of this running version: { $archive }.
source-elsewhere = Its operator also publishes it at { $link }.
draft-preview-note = A draft, shown through its preview link: not published yet, and it may still change.
reading-time = { $count ->
    [one] { $count } minute to read
   *[other] { $count } minutes to read
}

## The header
nav-site = Site
sign-in = Sign in
sign-out = Sign out
