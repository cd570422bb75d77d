import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { marked } from 'marked'
import { chromium, type Browser } from 'playwright-core'

/**
 * GitHub's look, as near as a test can get without GitHub: the markdown rendered by a GitHub-flavoured renderer
 * (marked, gfm), inside github-markdown-css, with the HTML tags GitHub's sanitiser drops dropped (their text kept),
 * in a real headless Chromium (Debian's, installed by scripts/test-env.sh). What the reader sees is read back from
 * the page: its visible text, its tables, and a PNG to look at.
 */

/** Where scripts/test-env.sh installs Chromium (Debian's `chromium`); MI_CHROMIUM overrides it. */
export const CHROMIUM = process.env.MI_CHROMIUM ?? '/usr/bin/chromium'
export const hasChromium = (): boolean => existsSync(CHROMIUM)

const require = createRequire(import.meta.url)
const CSS = readFileSync(require.resolve('github-markdown-css/github-markdown-light.css'), 'utf8')

// The elements GitHub keeps in comments and summaries (its sanitiser's allow-list, the ones a report could use); any
// other tag is removed, its text kept, as GitHub shows `<version>` as `` (the text only).
const KEPT = new Set(
  (
    'a b blockquote br code dd del details div dl dt em h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre s strike ' +
    'strong sub summary sup table tbody td tfoot th thead tr tt ul span input g-emoji'
  ).split(' '),
)

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

export interface Rendered {
  /** What a reader sees, as the browser lays it out (innerText: closed <details> hide their body). */
  readonly text: string
  /** The text with every <details> opened (what a reader can reach). */
  readonly fullText: string
  /** Every table, each as rows of cell texts (header row first). */
  readonly tables: string[][][]
  /** The summaries of the <details> blocks. */
  readonly details: string[]
  /** Hrefs of the links. */
  readonly links: string[]
}

export class Renderer {
  private constructor(private readonly browser: Browser) {}

  /** A fresh browser (playwright gives it a fresh user-data-dir), launched with the flags of BRIEF §10. */
  static async start(): Promise<Renderer> {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, chromiumSandbox: false })
    return new Renderer(browser)
  }

  async close(): Promise<void> {
    await this.browser.close()
  }

  /** Renders `markdown` as GitHub would and reads it back; `png` gets a screenshot of the top `height` pixels. */
  async render(markdown: string, png?: string, height = 1600): Promise<Rendered> {
    const html = await marked.parse(markdown, { gfm: true, async: true })
    const page = await this.browser.newPage({ viewport: { width: 1000, height: 800 } })
    try {
      await page.setContent(
        `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}
body { margin: 0; background: #fff } .markdown-body { box-sizing: border-box; max-width: 1000px; padding: 24px }
</style></head><body><article class="markdown-body">${html}</article></body></html>`,
      )
      // In the page (as strings: the tests are typed for Node, not the DOM): GitHub's allow-list, then the reading.
      await page.evaluate(`(() => {
        const allowed = new Set(${JSON.stringify([...KEPT])})
        for (const element of Array.from(document.querySelector('article').querySelectorAll('*')).reverse())
          if (!allowed.has(element.tagName.toLowerCase())) element.replaceWith(...Array.from(element.childNodes))
      })()`)
      const read = (): Promise<Omit<Rendered, 'fullText'>> =>
        page.evaluate(`(() => {
          const body = document.querySelector('article')
          const texts = (nodes) => Array.from(nodes).map((node) => node.innerText.trim())
          return {
            text: body.innerText,
            tables: Array.from(body.querySelectorAll('table')).map((table) =>
              Array.from(table.querySelectorAll('tr')).map((row) => texts(row.querySelectorAll('th,td')))),
            details: texts(body.querySelectorAll('details > summary')),
            links: Array.from(body.querySelectorAll('a')).map((a) => a.getAttribute('href') || ''),
          }
        })()`)
      const closed = await read()
      if (png) {
        const full = await page.evaluate<number>('document.documentElement.scrollHeight')
        await page.screenshot({
          path: png,
          fullPage: true,
          clip: { x: 0, y: 0, width: 1000, height: Math.min(full, height) },
        })
      }
      await page.evaluate(`document.querySelectorAll('details').forEach((d) => { d.open = true })`)
      const opened = await read()
      return { ...opened, text: closed.text, fullText: opened.text }
    } finally {
      await page.close()
    }
  }
}
