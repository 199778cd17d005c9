"""Hand-written multilingual seed lexicons (written for Flarewatch, no third-party text).

Entries ending in ``*`` match as a word prefix (stems for inflected languages: Russian, Polish,
Hebrew, Arabic); other entries match whole words. Sentiment valences use VADER's -4..4 scale so
they share the cross-lingual lexicon features with the VADER and polVADER lexicons at training time.
Emotion entries carry an intensity weight of 1 (plain) or 2 (strong).
"""

from __future__ import annotations

# Russian has no labelled data in ../shared/datasets; these stems are what reaches Russian posts
# through the language-independent lexicon features the model learns on the other languages.
SENTIMENT_SEEDS: dict[str, float] = {
    # Russian
    "хорош*": 2.0, "отличн*": 3.0, "прекрасн*": 3.0, "замечательн*": 3.0, "супер": 2.5,
    "класс*": 2.5, "круто": 2.5, "крут*": 2.0, "любл*": 2.5, "люблю": 3.0, "нравит*": 2.0,
    "спасибо": 2.0, "благодар*": 2.0, "рад*": 2.0, "счастл*": 3.0, "лучш*": 2.0, "удобн*": 1.5,
    "молодц*": 2.5, "восхитит*": 3.0, "красив*": 2.0, "ура": 2.0, "поздравл*": 2.0,
    "плох*": -2.5, "ужас*": -3.0, "отвратит*": -3.5, "кошмар*": -3.0, "ненави*": -3.5,
    "хуж*": -2.5, "жаль": -1.5, "груст*": -2.0, "печаль*": -2.0, "злой": -2.5, "зл*": -2.0,
    "бесит": -3.0, "бесят": -3.0, "раздраж*": -2.5, "обман*": -3.0, "мошенн*": -3.5,
    "позор*": -3.0, "отстой": -3.0, "провал*": -2.5, "сломал*": -2.0, "не работает": -2.0,
    "разочаров*": -2.5, "проблем*": -1.5, "жалоб*": -2.0, "скандал*": -2.5, "тупо": -2.0,
    "дерьм*": -3.5, "херн*": -3.0, "возмут*": -3.0, "кража": -3.0, "угроз*": -2.5,
    # Hebrew (supplements the trained Hebrew n-grams; prefixes ו/ה/ש are common, stems cover them)
    "מעולה": 3.0, "מצוין": 3.0, "אוהב*": 2.5, "תודה": 2.0, "כל הכבוד": 3.0, "מדהים*": 3.0,
    "נהדר*": 3.0, "יפה": 2.0, "שמח*": 2.5, "גאה": 2.5, "בהצלחה": 2.0, "אחלה": 2.5, "סבבה": 1.5,
    "גרוע*": -3.0, "נורא*": -2.5, "שונא*": -3.5, "בושה": -3.0, "מגעיל*": -3.5, "עצוב*": -2.0,
    "רמאי*": -3.0, "שקרן*": -3.0, "מושחת*": -3.0, "זבל": -3.0, "פח": -2.0, "אכזב*": -2.5,
    "חרא": -3.5, "דפוק*": -2.5, "כועס*": -2.5, "מאכזב*": -2.5,
    # Polish slang the polVADER lexicon lacks
    "spoko": 1.5, "super": 2.5, "ekstra": 2.5, "zajebist*": 3.0, "dzięki": 2.0, "dziękuj*": 2.0,
    "beznadziej*": -3.0, "żenad*": -3.0, "masakr*": -2.5, "oszust*": -3.0, "syf": -3.0,
    "dno": -3.0, "chujow*": -3.5, "wkurz*": -3.0, "kiepsk*": -2.0,
    # Arabic
    "ممتاز*": 3.0, "رائع*": 3.0, "جميل*": 2.5, "شكرا": 2.0, "احب*": 2.5, "حلو*": 2.0,
    "سيء*": -3.0, "سيئ*": -3.0, "فاشل*": -3.0, "حزين*": -2.0, "كارثة": -3.0, "زفت": -3.0,
}

EMOTIONS: tuple[str, ...] = ("anger", "fear", "sadness", "joy", "disgust", "surprise")

EMOTION_SEEDS: dict[str, dict[str, float]] = {
    "anger": {
        "angry": 1, "furious": 2, "rage": 2, "outraged": 2, "outrage": 2, "mad": 1, "pissed": 2,
        "hate": 1, "hates": 1, "hated": 1, "annoyed": 1, "annoying": 1, "infuriating": 2,
        "livid": 2, "fuming": 2, "unacceptable": 1, "ridiculous": 1, "scam": 1, "boycott": 1,
        "wtf": 1, "sick of": 1, "fed up": 1, "😡": 2, "🤬": 2, "😠": 1, "💢": 1, "👿": 1,
        "злюсь": 2, "бесит": 2, "ненави*": 2, "возмут*": 2, "ярост*": 2, "зл*": 1,
        "wkurz*": 2, "wściek*": 2, "nienawidz*": 2, "skandal*": 1, "oburz*": 2,
        "כועס*": 1, "עצבני*": 1, "זעם": 2, "שונא*": 2, "חוצפה": 1, "בושה": 1,
        "enojad*": 1, "furios*": 2, "rabia": 2, "odio": 2, "harto": 1, "indignante": 2,
        "colère": 1, "furieux": 2, "rage": 2, "énervé*": 1, "inadmissible": 1,
        "wütend": 2, "wut": 2, "ärger*": 1, "sauer": 1, "unverschämt": 2, "frechheit": 2,
        "arrabbiat*": 1, "rabbia": 2, "incazzat*": 2, "vergogna": 1,
        "raiva": 2, "irritad*": 1, "revoltad*": 2, "ódio": 2,
        "غاضب*": 1, "غضب*": 2, "حقير*": 2,
    },
    "fear": {
        "afraid": 1, "scared": 1, "terrified": 2, "fear": 1, "frightening": 2, "panic": 2,
        "worried": 1, "worry": 1, "anxious": 1, "nervous": 1, "danger": 1, "dangerous": 1,
        "threat": 1, "horror": 2, "alarming": 1, "unsafe": 1, "😱": 2, "😨": 2, "😰": 1, "😟": 1,
        "боюсь": 1, "страш*": 2, "страх*": 1, "паник*": 2, "опасн*": 1, "тревог*": 1,
        "boję": 1, "strach*": 1, "przeraż*": 2, "niebezpieczn*": 1, "panik*": 2,
        "מפחד*": 1, "פחד*": 1, "מבוהל*": 2, "מסוכן*": 1, "חרדה": 2, "בהלה": 2,
        "miedo": 1, "asustad*": 1, "pánico": 2, "peligro*": 1, "aterrad*": 2,
        "peur": 1, "effrayant*": 2, "panique": 2, "inquiet*": 1, "danger*": 1,
        "angst": 1, "ängstlich": 1, "panik": 2, "gefährlich": 1, "beängstigend": 2,
        "paura": 1, "spaventat*": 1, "terrorizzat*": 2, "pericolo*": 1,
        "medo": 1, "assustad*": 1, "pavor": 2, "perigo*": 1,
        "خوف": 1, "خائف*": 1, "رعب": 2, "خطر*": 1,
    },
    "sadness": {
        "sad": 1, "unhappy": 1, "depressed": 2, "depressing": 2, "heartbroken": 2, "cry": 1,
        "crying": 1, "tears": 1, "miss": 1, "lonely": 1, "grief": 2, "sorrow": 2, "tragic": 2,
        "rip": 1, "disappointed": 1, "disappointing": 1, "😢": 1, "😭": 2, "😞": 1, "💔": 2,
        "☹": 1, "😔": 1, "груст*": 1, "печал*": 1, "плач*": 1, "жаль": 1, "тоск*": 1,
        "smut*": 1, "płacz*": 1, "żal": 1, "szkoda": 1, "przykro": 1, "rozczarow*": 1,
        "עצוב*": 1, "בוכה": 1, "בוכים": 1, "כואב*": 1, "צער": 2, "אכזב*": 1, "מתגעגע*": 1,
        "triste*": 1, "llorar": 1, "llorando": 1, "pena": 1, "decepcion*": 1,
        "tristesse": 1, "pleurer": 1, "déçu*": 1, "chagrin": 2,
        "traurig": 1, "weinen": 1, "enttäuscht": 1, "schade": 1,
        "tristezza": 1, "piangere": 1, "deluso": 1, "delusa": 1,
        "tristeza": 1, "chorar": 1, "chorando": 1, "saudade*": 1, "decepcionad*": 1,
        "حزين*": 1, "حزن": 1, "بكاء": 1, "مؤلم*": 1,
    },
    "joy": {
        "happy": 1, "glad": 1, "love": 1, "loved": 1, "loving": 1, "awesome": 2, "amazing": 2,
        "great": 1, "excited": 2, "wonderful": 2, "fantastic": 2, "delighted": 2, "yay": 1,
        "thrilled": 2, "enjoy": 1, "enjoyed": 1, "fun": 1, "congrats": 1, "congratulations": 1,
        "😂": 1, "🤣": 1, "😍": 2, "🥰": 2, "😊": 1, "😀": 1, "😃": 1, "😄": 1, "🎉": 1,
        "❤": 1, "♥": 1, "👏": 1, "🙌": 1, "рад*": 1, "счастл*": 2, "любл*": 1, "ура": 1,
        "отличн*": 1, "супер": 1, "szczęśliw*": 2, "cieszę": 1, "uwielbiam": 2, "kocham": 2,
        "świetn*": 1, "super": 1, "שמח*": 1, "מאושר*": 2, "אוהב*": 1, "מדהים*": 2,
        "כיף": 1, "מעולה": 1, "feliz": 1, "alegr*": 1, "encanta": 1, "genial": 2,
        "heureux": 1, "heureuse": 1, "joie": 1, "adore": 2, "génial": 2, "super": 1,
        "glücklich": 1, "freude": 1, "toll": 1, "liebe": 1, "großartig": 2,
        "felice": 1, "gioia": 1, "adoro": 2, "bellissim*": 1, "contento": 1,
        "alegria": 1, "amo": 2, "adorei": 2, "ótimo": 1, "sorte": 1,
        "سعيد*": 1, "فرح*": 1, "رائع*": 1, "احب*": 1,
    },
    "disgust": {
        "disgusting": 2, "disgusted": 2, "gross": 1, "nasty": 1, "vile": 2, "revolting": 2,
        "sickening": 2, "yuck": 1, "ew": 1, "eww": 1, "repulsive": 2, "filthy": 1, "creepy": 1,
        "🤮": 2, "🤢": 2, "отврат*": 2, "мерз*": 2, "гадост*": 2, "противн*": 1, "фу": 1,
        "obrzydliw*": 2, "ohydn*": 2, "fuj": 1, "paskudn*": 1, "żenad*": 1,
        "מגעיל*": 2, "דוחה": 2, "איכס": 2, "גועל": 2, "מבחיל*": 2,
        "asco": 2, "asqueros*": 2, "repugnante": 2, "dégoûtant*": 2, "dégueulasse": 2, "beurk": 1,
        "ekelhaft": 2, "widerlich": 2, "eklig": 2, "disgustos*": 2, "schifo": 2, "che schifo": 2,
        "nojo": 2, "nojent*": 2, "nojento": 2, "مقرف*": 2, "قرف": 2,
    },
    "surprise": {
        "wow": 1, "omg": 1, "unbelievable": 2, "shocked": 2, "shocking": 2, "surprised": 1,
        "surprising": 1, "unexpected": 1, "whoa": 1, "astonishing": 2, "can't believe": 1,
        "😮": 1, "😲": 2, "😯": 1, "🤯": 2, "😳": 1, "вау": 1, "неожидан*": 1, "шок*": 2,
        "удивл*": 1, "ого": 1, "niesamowit*": 1, "szok*": 2, "zaskocz*": 1, "nieoczekiwan*": 1,
        "וואו": 1, "מפתיע*": 1, "הפתעה": 1, "בשוק": 2, "לא יאומן": 2,
        "sorpresa": 1, "increíble": 1, "sorprendid*": 1, "surpris*": 1, "incroyable": 1,
        "choqué*": 2, "überrascht": 1, "unglaublich": 1, "wahnsinn": 1, "sorpres*": 1,
        "incredibile": 1, "surpreso": 1, "surpresa": 1, "inacreditável": 1, "مفاجأة": 1, "صدمة": 2,
    },
}
