# shellcheck shell=bash
# The browser part of the real test environment, sourced by scripts/test-env.sh: Debian's Chromium (and fonts with
# emoji, as a reader's browser has them), for __tests__/e2e/report-rendering.test.ts, which renders the job summary
# and the pull-request comment as GitHub shows them and reads the page back. Installed with the other packages (one
# apt run, only when missing); MI_TEST_ENV_BROWSER=0 leaves it out (that test then fails, saying Chromium is missing).

BROWSER_PART=${MI_TEST_ENV_BROWSER:-1}
if [[ $BROWSER_PART != 0 ]]; then
  PACKAGES+=(chromium fonts-liberation fonts-noto-color-emoji)
fi

browser_env() {
  [[ $BROWSER_PART == 0 ]] || printf 'MI_CHROMIUM=%s\n' /usr/bin/chromium
}
