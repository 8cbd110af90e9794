# Signing in and one's account, in English.
login-title = Sign in
login-username = Name
login-password = Password
login-wrong = That name and password do not match. Check both and try again.
login-too-many = { $count ->
    [one] Too many failed sign-ins. Wait { $count } second, then try again.
   *[other] Too many failed sign-ins. Wait { $count } seconds, then try again.
}
login-forgot = Forgot your password? Ask whoever runs this server for a new sign-in link: { $command }.
once-title = Choose your password
once-for = This link signs in { $name }.
once-expires = It works once, until { $date }.
once-submit = Save the password and sign in
once-gone = This sign-in link has expired or was already used.
once-new-link = Whoever runs this server can make a new one: { $command }.
password-new = New password
password-again = The new password again
password-current = Current password
password-rule = { $count ->
    [one] At least { $count } character. A few words make a good password.
   *[other] At least { $count } characters. A few words make a good password.
}
password-mismatch = The two new passwords differ.
password-current-wrong = The current password is not right.
password-too-short = { $count ->
    [one] A password needs at least { $count } character.
   *[other] A password needs at least { $count } characters.
}
password-too-long = { $count ->
    [one] A password has at most { $count } character.
   *[other] A password has at most { $count } characters.
}
form-refused = This form could not be accepted: it expired, or it was sent from another site. Go back, reload the page and send it again.
save = Save
me-title = Your account
me-handle = Your handle: { $handle }.
me-public-page = Your public page
me-no-password = You have no password yet: choose one below to sign in again later.
me-communities = Your communities
me-no-communities = You hold no role in a community yet.
me-profile = Profile
me-display-name = Display name
me-bio = About you
me-bio-hint = { $count ->
    [one] Plain text, at most { $count } character. Shown on your public page and to your followers.
   *[other] Plain text, at most { $count } characters. Shown on your public page and to your followers.
}
profile-name-too-long = { $count ->
    [one] The display name has at most { $count } character.
   *[other] The display name has at most { $count } characters.
}
profile-bio-too-long = { $count ->
    [one] "About you" has at most { $count } character.
   *[other] "About you" has at most { $count } characters.
}
me-password = Password
me-password-change = Change the password
me-tokens = API tokens
me-tokens-about = A token lets a program act as you through the API. Give each a name you will recognise, and revoke those you no longer use.
me-token-new = Your new token, shown only this once. Copy it now:
me-no-tokens = You have no API tokens.
me-token-label = Name
me-token-created = Created
me-token-actions = Actions
me-token-unnamed = (no name)
me-token-revoke = Revoke
me-token-create = Create a token
me-sessions = Where you are signed in
me-sessions-count = { $count ->
    [one] You are signed in on { $count } browser.
   *[other] You are signed in on { $count } browsers.
}
me-sessions-end = Sign out everywhere else
done-signed-out = You are signed out.
done-password-set = Your password is saved. You are signed in.
done-password-changed = Your password is changed. Your other sessions are signed out.
done-profile-saved = Your profile is saved.
done-token-created = The token is created.
done-token-revoked = The token is revoked.
done-sessions-ended = Your other sessions are signed out.
