<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
<context>
    <name>CardsPage</name>
    <message numerus="yes">
        <location filename="../../console/gui/pages/cards.py" line="+360"/>
        <source>%n page(s) printed.</source>
        <translation>
            <numerusform>%n page printed.</numerusform>
            <numerusform>%n pages printed.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ConsoleWindow</name>
    <message numerus="yes">
        <location filename="../../console/gui/window.py" line="+444"/>
        <source>Locked after %n minute(s) without activity; log in again.</source>
        <translation>
            <numerusform>Locked after %n minute without activity; log in again.</numerusform>
            <numerusform>Locked after %n minutes without activity; log in again.</numerusform>
        </translation>
    </message>
</context>
</TS>
