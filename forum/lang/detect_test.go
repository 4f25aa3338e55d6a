package lang

import (
	"strings"
	"testing"
)

// labelled are sentences none of the corpus files holds, of the kind members
// write: a question's title, a line of its body, a short reply.
var labelled = map[string][]string{
	"en": {
		"Why does my laptop overheat when I watch videos?",
		"I cannot log in to the app after resetting my password, it says the account is locked.",
		"The bill for March is much higher than usual and I don't understand the extra charges.",
		"Has anyone managed to connect the smart speaker to a guest network?",
		"Try turning off the power saving mode and then pairing the headphones again.",
		"We are moving house next month and need to know how to transfer our broadband.",
		"My order was marked as delivered but nothing arrived at the door.",
		"Is there a way to export all my photos before closing the account?",
		"The screen flickers whenever the brightness is below half.",
		"Thank you, the new cable solved it straight away.",
	},
	"es": {
		"¿Por qué se calienta mi portátil cuando veo vídeos?",
		"No puedo entrar en la aplicación después de cambiar la contraseña, dice que la cuenta está bloqueada.",
		"La factura de marzo es mucho más alta de lo normal y no entiendo los cargos extra.",
		"¿Alguien ha conseguido conectar el altavoz inteligente a una red de invitados?",
		"Prueba a desactivar el modo de ahorro de energía y luego vuelve a emparejar los auriculares.",
		"Nos mudamos el mes que viene y necesitamos saber cómo trasladar la fibra.",
		"Mi pedido aparece como entregado pero no ha llegado nada a casa.",
		"¿Hay alguna forma de exportar todas mis fotos antes de cerrar la cuenta?",
		"La pantalla parpadea siempre que el brillo está por debajo de la mitad.",
		"Gracias, con el cable nuevo se solucionó enseguida.",
	},
	"pl": {
		"Dlaczego mój laptop się przegrzewa, kiedy oglądam filmy?",
		"Nie mogę zalogować się do aplikacji po zmianie hasła, pisze, że konto jest zablokowane.",
		"Rachunek za marzec jest dużo wyższy niż zwykle i nie rozumiem dodatkowych opłat.",
		"Czy komuś udało się podłączyć inteligentny głośnik do sieci dla gości?",
		"Spróbuj wyłączyć tryb oszczędzania energii, a potem jeszcze raz sparuj słuchawki.",
		"W przyszłym miesiącu się przeprowadzamy i musimy wiedzieć, jak przenieść internet.",
		"Zamówienie jest oznaczone jako dostarczone, ale nic nie przyszło.",
		"Czy da się wyeksportować wszystkie zdjęcia przed zamknięciem konta?",
		"Ekran migocze za każdym razem, gdy jasność jest poniżej połowy.",
		"Dzięki, nowy kabel od razu rozwiązał problem.",
	},
	"fr": {
		"Pourquoi mon ordinateur portable chauffe-t-il quand je regarde des vidéos ?",
		"Je n'arrive pas à me connecter à l'application après avoir changé mon mot de passe, elle dit que le compte est bloqué.",
		"La facture de mars est beaucoup plus élevée que d'habitude et je ne comprends pas les frais supplémentaires.",
		"Quelqu'un a-t-il réussi à connecter l'enceinte connectée à un réseau invité ?",
		"Essayez de désactiver le mode économie d'énergie puis d'appairer à nouveau le casque.",
		"Nous déménageons le mois prochain et nous devons savoir comment transférer notre abonnement fibre.",
		"Ma commande est indiquée comme livrée mais rien n'est arrivé chez moi.",
		"Y a-t-il un moyen d'exporter toutes mes photos avant de fermer le compte ?",
		"L'écran scintille dès que la luminosité est en dessous de la moitié.",
		"Merci, le nouveau câble a tout réglé immédiatement.",
	},
	"de": {
		"Warum wird mein Laptop so heiß, wenn ich Videos schaue?",
		"Ich kann mich nach dem Zurücksetzen des Passworts nicht in der App anmelden, angeblich ist das Konto gesperrt.",
		"Die Rechnung für März ist viel höher als sonst und ich verstehe die zusätzlichen Gebühren nicht.",
		"Hat es schon jemand geschafft, den smarten Lautsprecher mit dem Gastnetz zu verbinden?",
		"Schalte den Energiesparmodus aus und koppel die Kopfhörer danach noch einmal.",
		"Wir ziehen nächsten Monat um und müssen wissen, wie wir unseren Anschluss mitnehmen.",
		"Meine Bestellung steht als zugestellt, aber an der Tür ist nichts angekommen.",
		"Gibt es eine Möglichkeit, alle meine Fotos zu exportieren, bevor ich das Konto schließe?",
		"Der Bildschirm flackert, sobald die Helligkeit unter der Hälfte liegt.",
		"Danke, mit dem neuen Kabel war es sofort gelöst.",
	},
}

// TestDetectLabelledSentences: the detector names the language of at
// least 90% of the labelled sentences, in each language.
func TestDetectLabelledSentences(t *testing.T) {
	total, right := 0, 0
	for want, sentences := range labelled {
		ok := 0
		for _, s := range sentences {
			if got := Detect(s); got == want {
				ok++
			} else {
				t.Logf("%s sentence read as %s: %q", want, got, s)
			}
		}
		if ok*10 < len(sentences)*9 {
			t.Errorf("%s: %d of %d right, want at least 90%%", want, ok, len(sentences))
		}
		total, right = total+len(sentences), right+ok
	}
	t.Logf("%d of %d sentences right", right, total)
}

// TestDetectLanguages tells apart languages that share most of their
// letters and many words, and those told by their writing system; a text
// with no letters is undetermined.
func TestDetectLanguages(t *testing.T) {
	for want, s := range map[string]string{
		"ca":         "No em funciona el wifi des de dilluns i no sé què fer, algú em pot ajudar?",
		"es":         "No me funciona el wifi desde el lunes y no sé qué hacer, ¿alguien me puede ayudar?",
		"pt":         "O wifi não funciona desde segunda-feira e não sei o que fazer, alguém me pode ajudar?",
		"it":         "Il wifi non funziona da lunedì e non so cosa fare, qualcuno mi può aiutare?",
		"nl":         "Mijn wifi werkt sinds maandag niet meer en ik weet niet wat ik moet doen, kan iemand helpen?",
		"de":         "Mein WLAN funktioniert seit Montag nicht mehr und ich weiß nicht, was ich tun soll. Kann mir jemand helfen?",
		"ru":         "Почему мой ноутбук перегревается, когда я смотрю видео?",
		"uk":         "Чому мій ноутбук перегрівається, коли я дивлюся відео? Її ще не полагодили.",
		"el":         "Γιατί ζεσταίνεται ο φορητός μου όταν βλέπω βίντεο;",
		"he":         "למה המחשב הנייד שלי מתחמם כשאני צופה בסרטונים?",
		"ar":         "لماذا يسخن حاسوبي المحمول عندما أشاهد الفيديوهات؟",
		"ja":         "動画を見るとノートパソコンが熱くなるのはなぜですか？",
		"zh":         "为什么我看视频的时候笔记本电脑会发热？",
		"ko":         "동영상을 볼 때 노트북이 뜨거워지는 이유가 뭘까요?",
		Undetermined: "12345 !!! 678 ??? 👍👍",
	} {
		if got := Detect(s); got != want {
			t.Errorf("Detect(%q) = %s, want %s", s, got, want)
		}
	}
}

// TestDetectSkipsCodeAndAddresses: a Spanish question pasting English log
// lines in backticks and a link is still Spanish.
func TestDetectSkipsCodeAndAddresses(t *testing.T) {
	s := "El servidor no arranca desde ayer.\n\n```\nerror: failed to bind the address, the port is already in use by another process\nthe service will now exit with the status of the last error\n```\n\n" +
		"He seguido https://example.com/how-to-fix-the-error-when-the-port-is-in-use y nada."
	if got := Detect(s); got != "es" {
		t.Errorf("Detect = %s, want es", got)
	}
}

func TestPreferred(t *testing.T) {
	for header, want := range map[string]string{
		"es-ES,es;q=0.9,en;q=0.5": "es",
		"pl":                      "pl",
		"en-GB,en;q=0.8":          "en",
		"ca-ES, es;q=0.7":         "ca",
		"pt-BR":                   "pt",
		"sw, xx;q=0.3":            "en",
		"":                        "en",
		"not a header;;;":         "en",
	} {
		if got := Preferred(header); got != want {
			t.Errorf("Preferred(%q) = %s, want %s", header, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	if Name("es") != "Español" || Name("und") != "" || Valid("xx") || !Valid("pl") {
		t.Error("names of es, und, xx or pl are wrong")
	}
	got := Names([]string{"es", "xx", "en"})
	if len(got) != 2 || got[0].Code != "en" || got[1].Code != "es" {
		t.Errorf("Names = %v, want en and es in Known's order", got)
	}
}

// post is a question of about 2,000 characters, as members write them.
var post = func() string {
	p := labelled["es"][1] + " " + labelled["es"][2] + " " + labelled["es"][7] + "\n\n"
	return strings.Repeat(p, 2000/len(p)+1)[:2000]
}()

func BenchmarkDetect(b *testing.B) {
	trained()
	b.SetBytes(int64(len(post)))
	for b.Loop() {
		if Detect(post) != "es" {
			b.Fatal("not es")
		}
	}
}
