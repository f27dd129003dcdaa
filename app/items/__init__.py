"""The item bank (тест тапсырмалары банкі): items, validation, blueprints, frozen test forms, import and export."""
