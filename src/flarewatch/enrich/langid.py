"""Language identification: script rules first, then function words, then lingua, catch-all last.

Policy (docs/enrichment.md has the reasoning):

1. Letters are counted per script. A post whose letters are at least 30% Hebrew is Hebrew: Israeli
   posts mix in English brand names and handles, and the Hebrew part carries the opinion. Other
   scripts that identify one language (Arabic, Greek, Hangul, kana, Thai, ...) decide directly;
   Cyrillic goes to lingua restricted to Cyrillic languages.
2. Latin-script posts: transliterated Hebrew or Russian (a marker-word list) map to "he"/"ru" when
   the workspace has that language.
3. Function words: a vote of hand-written lists of frequent function words ("the", "und", "jest",
   "que", ...) of the catch-all languages decides a post when one language clearly wins (at least
   2 votes, 1.5 ahead of and 3x the runner-up; a word shared by k languages gives each 1/k). This
   costs a few microseconds instead of lingua's 50-400, and on the labelled tweets it is right on
   97-100% of the posts it decides, per language; code-switched posts have a close runner-up and
   go on.
4. Otherwise lingua runs restricted to the workspace's Latin-script languages (high accuracy). When
   it is not sure (< 0.99) a low-accuracy lingua over ~20 common languages acts as the catch-all,
   so a German post in an en/pl workspace comes out "de", not "en".
5. Posts with fewer than 3 words or 10 letters are too short for n-gram statistics: their
   confidence is capped at 0.5 and the caller may prefer the source's own language tag.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import lru_cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

_HEBREW = re.compile(r"[\u0590-\u05FF\uFB1D-\uFB4F]")
_ARABIC = re.compile(r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF]")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_NOT_LATIN_RUN = re.compile(r"[^A-Za-z\u00C0-\u024F]+")
_NON_LATIN = re.compile(r"[^\W\d_A-Za-z\u00C0-\u024F]")
_UNIQUE_SCRIPTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"[\u0370-\u03FF]"), "el"),
    (re.compile(r"[\u3040-\u30FF]"), "ja"),
    (re.compile(r"[\uAC00-\uD7AF\u1100-\u11FF]"), "ko"),
    (re.compile(r"[\u4E00-\u9FFF]"), "zh"),
    (re.compile(r"[\u0E00-\u0E7F]"), "th"),
    (re.compile(r"[\u0900-\u097F]"), "hi"),
    (re.compile(r"[\u0530-\u058F]"), "hy"),
    (re.compile(r"[\u10A0-\u10FF]"), "ka"),
)
CYRILLIC_LANGS = ("ru", "uk", "bg", "mk", "sr", "be", "kk", "mn")
ARABIC_SCRIPT_LANGS = ("ar", "fa", "ur")
CATCH_ALL = (
    "en",
    "es",
    "pt",
    "fr",
    "de",
    "it",
    "nl",
    "pl",
    "tr",
    "id",
    "sv",
    "ro",
    "cs",
    "da",
    "fi",
    "hu",
    "ca",
    "sk",
    "hr",
    "lt",
    "vi",
    "ms",
)
SURE = 0.99
SHORT_CAP = 0.5

# Common words of Hebrew and Russian typed in Latin letters (chat, SMS, gamer slang).
TRANSLIT: dict[str, frozenset[str]] = {
    "he": frozenset(
        [
            "sababa",
            "achla",
            "ahla",
            "yalla",
            "walla",
            "wallak",
            "beseder",
            "toda",
            "tov",
            "ma",
            "nishma",
            "nishma",
            "ken",
            "lo",
            "ani",
            "ata",
            "at",
            "anachnu",
            "hakol",
            "mamash",
            "stam",
            "chaval",
            "haval",
            "ein",
            "yesh",
            "kol",
            "hakavod",
            "balagan",
            "lehitraot",
            "shalom",
            "boker",
            "erev",
            "laila",
            "tov",
            "tova",
            "yofi",
            "metzuyan",
            "meod",
            "lama",
            "eich",
            "kama",
            "efo",
        ]
    ),
    "ru": frozenset(
        [
            "privet",
            "spasibo",
            "pozhaluysta",
            "khorosho",
            "horosho",
            "ochen",
            "kak",
            "dela",
            "davai",
            "davay",
            "nichego",
            "ya",
            "ty",
            "my",
            "vy",
            "oni",
            "eto",
            "chto",
            "kto",
            "gde",
            "kogda",
            "pochemu",
            "tozhe",
            "prosto",
            "uzhe",
            "segodnya",
            "zavtra",
            "bolshoe",
            "ploho",
            "otlichno",
            "ladno",
            "konechno",
            "blin",
        ]
    ),
}
_WORD = re.compile(r"[a-z']+")
_NOISE = re.compile(r"https?://\S+|www\.\S+|@\w+")

# Frequent function words per language, written by hand (space-separated, lower case).
FUNCTION_WORDS: dict[str, str] = {
    "en": "the and is are was were to of in for on with this that it you my your have has be not"
    " but just so at from they we what all can will me do don didn doesn isn wasn been would"
    " there their about out up if an or no by how when who get got like im one more again"
    " very really because than them he she his her our us now only why still never after"
    " being had did does should could these those which into over here any some off too new"
    " great right please good thanks thank day time people going know think want need see go"
    " make today best happy first last back well much even way always someone anyone"
    " something everyone nothing every other else loving down",
    "de": "der die das und ist nicht ich du es sie wir ihr ein eine einen einem einer den dem des"
    " mit von zu auf für im in an auch aber so wie was noch nur schon mal bei sind war hat"
    " haben wird kann mir mich dich sich man wenn dass oder als nach sehr jetzt hier mehr"
    " kein keine über heute doch immer diese dieser dann gibt ja vom zum zur uns euch habe"
    " bin bist werden danke bitte gut wirklich alles etwas nichts ganz viel leider einfach"
    " warum wieder geht wer wo",
    "nl": "de het een en van is niet ik je dat die op te met voor zijn maar ook er als dan aan"
    " wat nog om bij naar uit wel geen heb hij ze we mijn jij hebben kan dit was worden"
    " wordt door al zo meer echt nu over heel ben hoe waarom deze jullie ons onze zou moet"
    " gaat want",
    "fr": "le la les des du de et est un une pour avec pas ne je tu il elle nous vous que qui sur"
    " dans ce cette mais très plus on au aux ça tout bien sont ai suis c j qu l d mon ma mes"
    " ton son ses leur leurs y en été fait faire comme quand encore même sans moi toi lui"
    " alors ils elles avoir être trop rien merci oui non si se sa ces où donc ou vraiment"
    " aussi déjà pourquoi tous toujours faut peu ici chez après avant jamais",
    "es": "el la los las de del y que en es un una por con no se lo le les su sus al para muy"
    " pero más como está están esta este esto eso ese yo me mi te tu ya hay todo bien"
    " también porque cuando qué son fue ser hoy nada nunca si sí o ni aquí gracias tiene"
    " hace estoy tengo he ha han mucho solo sólo q pues vez algo así estar tan mejor siempre"
    " cada otro otra ahora años día donde quien vamos puede creo hasta desde sin sobre entre"
    " nos mis tus eres soy era",
    "pt": "o os as de do da dos das e que em no na nos não é um uma com para por mas muito eu"
    " você vc isso este esta isto esse essa pelo pela mais já também ele ela tem está foi"
    " ser porque quando só aqui ao me meu minha se seu sua ou nem hoje agora bem tudo nada"
    " sempre vai vou estou são pra tá q obrigado obrigada ainda nao num numa ter mesmo assim"
    " sem sobre até quem onde cada outro depois nunca dia ano gente coisa aí lá seus suas"
    " meus foram vamos pode acho",
    "it": "il lo la gli le di da che è e per con non un una uno del della dei delle al alla nel"
    " nella sono ma mi si ho ha hanno anche questo questa tutto tutti come più molto perché"
    " quando già cosa ci io ti tu se ne ancora sempre oggi solo fare fatto essere stato poi"
    " qui così bene grazie niente mai sei siamo vi c l dell all sul sulla dopo prima ogni"
    " dove chi tra fra senza sui degli nei ai dal nostro suo sua mio mia tuo questi quello"
    " quella allora domani vero ecco comunque",
    "ca": "el la els les de del i que en és un una per amb no es em et ho hi ha al als molt però"
    " més com aquest aquesta això tot tots bé també perquè quan jo tu seu seva són ser fer"
    " ja ara avui gràcies mai res pel dels hem han està sí l d",
    "ro": "și şi de la în cu pe nu să se că este o un mai din pentru care ce sunt am ai au eu tu"
    " el ea noi voi ei acest această foarte dar sau fi fost are mă te îmi tot doar când acum"
    " bine asta așa decât azi ca al ale lui cel cea după sa si",
    "pl": "w z na nie się to jest że do a jak ale co tak za po od już mi mnie ja ty on ona my wy"
    " oni ten ta tego tym jego jej ich są być był była było bardzo tylko jeszcze też czy bo"
    " gdy kiedy może tu tutaj dla przez pod nad przy sobie wszystko nic dzięki dziś teraz"
    " który która które mam ma masz będzie polecam jestem jesteś tej ze wszystkim wszyscy"
    " nawet jednak gdzie więc temu nas mój moja twój czego dlaczego trzeba można chyba sie"
    " juz",
    "cs": "a je se na v ve že to z do o ale jak jsem jsi jsou byl byla bylo není nebo když tak už"
    " jen jsme jste co ten ta tohle také taky proto protože který která které mám má máme mi"
    " mě tady tam ještě velmi moc dnes teď všechno nic pro při od po za bez jako aby by si"
    " jeho její jejich",
    "sk": "a je sa na v vo že to do o ale ako som si sú bol bola bolo nie alebo keď tak už len"
    " sme ste čo ten tá toto aj preto pretože ktorý ktorá ktoré mám má mi ma tu tam ešte"
    " veľmi dnes teraz všetko nič pre pri od po za bez by jeho jej ich aby však až",
    "hr": "je na se da za su sam smo ste ne to od sa kao ali ili što sve bi bio bila biti koji"
    " koja koje ovo ova taj ta mi ti vi oni mene meni tebi me te će ću još samo već kad kada"
    " gdje jer nije nisam ima nema jako vrlo danas sada sad hvala iz do po o kod tako pa li",
    "sv": "och att det som en på är av för med till den har de inte om ett han men var jag sig"
    " från vi så kan man när år hon också efter eller nu sin där vid mot ska skulle kommer"
    " ut får finns vara hade alla andra mycket än här då sedan över bara mig dig du min din"
    " tack idag nej ja varför bra vad",
    "da": "og at det som en på er af for med til den har de ikke om et han men var jeg sig fra vi"
    " så kan man når hun også efter eller nu sin der ved mod skal skulle kommer ud får være"
    " havde alle andre meget end her da bare mig dig du min din tak idag nej ja hvorfor godt"
    " hvad hvis noget mit dit",
    "fi": "ja on ei se että oli ole olen olet ovat kun mutta niin myös tai jos nyt vain sitä tämä"
    " tää mitä kuin minä mä sinä hän me te he ne jo vielä kanssa koska sen hyvä kiitos"
    " tänään mun sun ihan kyllä eikä siis sitten oikein aina paljon joka mikä miten missä"
    " tästä siitä",
    "hu": "a az és hogy nem is egy van meg de ez azt el csak már még mint ha volt vagy ki mi én"
    " te ő mert nagyon be fel le sem lesz kell itt ott most igen azért pedig minden semmi"
    " majd után nekem neked köszönöm jó nincs vannak lehet amit ami aki ezt úgy így",
    "tr": "ve bir bu da de için ile ne çok ben sen o biz siz onlar ama gibi daha var yok mi mı mu"
    " mü en kadar sonra şey her değil diye ya ki bana beni seni sana olarak olan oldu ise şu"
    " şimdi bugün neden nasıl hiç hem çünkü tamam teşekkürler iyi evet hayır benim senin"
    " bunu",
    "id": "yang dan di ini itu dengan untuk tidak ada dari saya aku kamu akan pada juga ke karena"
    " bisa sudah belum lagi atau kalau jadi sama tapi banyak hanya apa kita mereka dia nya"
    " ya gak nggak enggak udah sangat sekali masih harus terima kasih hari mau lebih"
    " bagaimana kenapa sih banget aja dong kok",
    "ms": "yang dan di ini itu dengan untuk tidak ada dari saya aku kamu akan pada juga ke kerana"
    " boleh sudah belum lagi atau kalau jadi sama tapi banyak hanya apa kita mereka dia nak"
    " tak ya sangat sekali masih harus terima kasih hari mahu lebih bagaimana kenapa dah pun"
    " lah tu ni je",
    "lt": "ir yra kad su į iš ne bet tai o kaip jau dar tik labai buvo bus aš tu jis ji mes jūs"
    " jie man tau mano tavo savo kas ar nes jei čia ten dabar šiandien ačiū taip gerai nėra"
    " per prie apie po nuo už be to šis ši šį kur kodėl viskas nieko",
    "vi": "của và là không có những được một các này cho với người đã tôi bạn trong để khi cũng"
    " thì mà như nhưng rất lại đi ra nào gì vì nên sẽ đang làm nói anh em chị họ chúng ta"
    " thế vậy quá rồi còn đó ở từ về hơn nhiều",
}
# Minimum votes, minimum lead and minimum ratio over the runner-up for the function-word vote to
# decide; tuned on the XLM-T training splits (validation accuracy in docs/quality.md).
VOTE_MIN = 2.0
VOTE_LEAD = 1.5
VOTE_RATIO = 3.0


def _vote_table() -> dict[str, tuple[tuple[str, ...], float]]:
    owners: dict[str, set[str]] = {}
    for code, words in FUNCTION_WORDS.items():
        for word in words.split():
            owners.setdefault(word, set()).add(code)
    return {w: (tuple(sorted(c)), 1.0 / len(c)) for w, c in owners.items()}


_VOTES = _vote_table()
# Letter runs that do not continue a hashtag or a word (so "#vest" and "2nd" give no "est"/"nd").
_VOTE_WORD = re.compile(r"(?<![#\w])[^\W\d_]+")


def _lingua(code: str) -> Language | None:
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except (AttributeError, ValueError):
        return None


_build_lock = threading.Lock()


@lru_cache(maxsize=64)
def _detector(codes: tuple[str, ...], low_accuracy: bool) -> LanguageDetector | None:
    langs = [lang for lang in (_lingua(c) for c in codes) if lang is not None]
    if len(langs) < 2:
        return None
    with _build_lock:
        builder = LanguageDetectorBuilder.from_languages(*langs)
        if low_accuracy:
            builder = builder.with_low_accuracy_mode()
        return builder.with_preloaded_language_models().build()


def _iso(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


# lingua's cost grows with the square of a word's length (a 20,000-letter "word" takes 0.2 s,
# 80,000 letters 3 s) and linearly with the text: it reads at most this many characters, cut at
# a space, which is far more than it needs to tell languages apart and keeps one call bounded.
LINGUA_SAMPLE_CHARS = 2_000


def lingua_sample(text: str) -> str:
    """The start of `text` lingua reads: all of it when short, else up to the last space
    within LINGUA_SAMPLE_CHARS (or exactly that many characters when there is no space)."""
    if len(text) <= LINGUA_SAMPLE_CHARS:
        return text
    head = text[:LINGUA_SAMPLE_CHARS]
    space = head.rfind(" ")
    return head[:space] if space > LINGUA_SAMPLE_CHARS // 2 else head


def _best(detector: LanguageDetector, text: str) -> tuple[str, float]:
    values = detector.compute_language_confidence_values(lingua_sample(text))
    if not values or values[0].value <= 0:
        return "und", 0.0
    return _iso(values[0].language), float(values[0].value)


def _pick(candidates: Sequence[str], workspace: Sequence[str], text: str) -> tuple[str, float]:
    """Choose within a script family, preferring the workspace's languages of that family."""
    own = tuple(c for c in candidates if c in workspace)
    if len(own) == 1:
        return own[0], 0.9
    det = _detector(own or tuple(candidates), False)
    return _best(det, text) if det is not None else (candidates[0], 0.6)


_NON_LATIN_LANGS = frozenset(("he", "ru", "uk", "ar", "fa", "el", "zh", "ja", "ko", "th", "hi"))


@lru_cache(maxsize=64)
def _latin_workspace(languages: tuple[str, ...]) -> tuple[tuple[str, ...], bool, bool]:
    """(the workspace's Latin-script languages, may the function-word vote decide, translit?)."""
    latin_ws = tuple(c for c in languages if c not in _NON_LATIN_LANGS)
    # A Latin language without a function-word list could be outvoted by a listed neighbour.
    votable = all(c in FUNCTION_WORDS for c in latin_ws)
    return latin_ws, votable, any(code in languages for code in TRANSLIT)


def _vote_scores(lowered: str) -> dict[str, float]:
    """Function-word evidence per language: each listed word found adds 1 / (the number of
    languages that list it)."""
    scores: dict[str, float] = {}
    for word in _VOTE_WORD.findall(lowered):
        hit = _VOTES.get(word)
        if hit is not None:
            share = hit[1]
            for code in hit[0]:
                scores[code] = scores.get(code, 0.0) + share
    return scores


def _vote(lowered: str) -> tuple[str, float] | None:
    """The function-word vote: (language, confidence) when one language clearly wins, else None."""
    scores = _vote_scores(lowered)
    if not scores:
        return None
    best = max(scores, key=scores.__getitem__)
    top = scores.pop(best)
    second = max(scores.values(), default=0.0)
    if top >= VOTE_MIN and top - second >= VOTE_LEAD and second * VOTE_RATIO <= top:
        return best, min(0.99, 0.6 + 0.1 * (top - second))
    return None


def _latin(text: str, languages: Sequence[str]) -> tuple[str, float]:
    latin_ws, votable, translit = _latin_workspace(tuple(languages))
    lowered = text.lower()
    if translit:
        words = _WORD.findall(lowered)
        for code, markers in TRANSLIT.items():
            if code in languages and words:
                hits = sum(map(markers.__contains__, words))
                if hits >= 2 and hits / len(words) >= 0.3:
                    return code, 0.5
    if votable:
        voted = _vote(lowered)
        if voted is not None:
            return voted
    code, conf = "und", 0.0
    det = _detector(tuple(sorted(latin_ws)), False)
    if det is not None:
        code, conf = _best(det, text)
        if conf >= SURE:
            return code, conf
    elif len(latin_ws) == 1:
        code, conf = latin_ws[0], 0.5
    catch = _detector(tuple(sorted(set(CATCH_ALL) | set(latin_ws))), True)
    if catch is not None:
        other, other_conf = _best(catch, text)
        if (
            other not in latin_ws
            and other != "und"
            and (code == "und" or (other_conf > 0.5 and _words_back(other, latin_ws, lowered)))
        ):
            return other, other_conf
        if code == "und" and other in latin_ws:
            return other, other_conf
    return code, conf


def _words_back(other: str, latin_ws: Sequence[str], lowered: str) -> bool:
    """Whether the text's function words back the catch-all's ``other`` over the workspace's
    languages. The low-accuracy catch-all is easily swayed by names: "Is Grillberry Modiin
    kosher?" reads as Finnish to it, though "is" is English and nothing in it is Finnish. So it
    may replace a workspace language only when ``other`` has more function-word evidence than
    every workspace language (every catch-all language has a word list; see the tests)."""
    if other not in FUNCTION_WORDS:
        return True
    scores = _vote_scores(lowered)
    return scores.get(other, 0.0) > max((scores.get(c, 0.0) for c in latin_ws), default=0.0)


CACHE_SIZE = 65_536
# Longer texts are not memoised: they are rarely repeated, and 64k cached long posts would hold
# gigabytes of text alive.
CACHE_MAX_CHARS = 4_000


def detect_language(text: str, languages: Sequence[str]) -> tuple[str, float]:
    """(ISO 639-1 code or "und", confidence 0..1) for one post, given the workspace's languages.

    Results are memoised (LRU, 64k entries): retweets and copy-paste campaigns repeat texts, and
    lingua is the most expensive step of the enrichment. The cost is linear in the text's length.
    """
    if len(text) > CACHE_MAX_CHARS:
        return _detect(text, tuple(languages))
    return _detect_cached(text, tuple(languages))


def _detect(text: str, languages: tuple[str, ...]) -> tuple[str, float]:
    if "@" in text or "http" in text or "www." in text:
        text = _NOISE.sub(" ", text)  # URLs and handles say nothing about the language
    latin = len(_NOT_LATIN_RUN.sub("", text))  # no list of every letter, as findall would build
    non_latin = [] if text.isascii() else _NON_LATIN.findall(text)
    letters = latin + len(non_latin)
    if letters == 0:
        return "und", 0.0
    short = letters < 10 or len(text.split()) < 3
    code, conf = _by_script(text, languages, latin, non_latin, letters)
    return (code, min(conf, SHORT_CAP)) if short and code != "he" else (code, conf)


_detect_cached = lru_cache(maxsize=CACHE_SIZE)(_detect)


def _by_script(
    text: str, languages: Sequence[str], latin: int, non_latin: list[str], letters: int
) -> tuple[str, float]:
    if non_latin:
        joined = "".join(non_latin)
        hebrew = len(_HEBREW.findall(joined))
        if hebrew / letters >= 0.3:
            return "he", 0.6 + 0.4 * hebrew / letters
        if len(non_latin) >= latin:
            if len(_ARABIC.findall(joined)) * 2 >= len(non_latin):
                return _pick(ARABIC_SCRIPT_LANGS, languages, text)
            if len(_CYRILLIC.findall(joined)) * 2 >= len(non_latin):
                return _pick(CYRILLIC_LANGS, languages, text)
            for pattern, code in _UNIQUE_SCRIPTS:
                if len(pattern.findall(joined)) * 2 >= len(non_latin):
                    if code == "zh" and "ja" in languages:
                        return "ja", 0.6  # kanji-only Japanese posts exist; trust the workspace
                    return code, 0.9
    return _latin(text, languages)


def detect_languages(texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
    return [detect_language(t, languages) for t in texts]
